-- depends_on: {{ ref('load_qa__archives') }}
{%- set aggregate_tasks = sql_path_list(var('datadecide_aggregate_tasks') | list) %}

with line_rejects as (
    select * from {{ ref('stg_audit__line_rejects') }}
),

run_records as (
    select * from {{ ref('stg_wandb__run_records') }}
),

history_records as (
    select * from {{ ref('int_wandb__history_records') }}
),

qa_prediction_records as (
    select * from {{ ref('stg_qa__prediction_records') }}
),

qa_archives as (
    select * from {{ source('qa', 'archives') }}
),

qa_member_rejects as (
    select * from {{ source('qa', 'member_rejects') }}
),

match_tables as (
    select * from {{ ref('stg_matches__match_tables') }}
),

scaling_law_fits as (
    select * from {{ ref('stg_datadecide__scaling_law_fits') }}
),

published_eval_results as (
    select * from {{ ref('stg_datadecide__eval_results') }}
),

published_perplexities as (
    select * from {{ ref('stg_datadecide__perplexities') }}
),

prediction_files as (
    select
        source_file,
        file_status
    from {{ ref('int_evals__prediction_files') }}
),

eval_metrics_records as (
    select * from {{ ref('stg_evals__metrics_records') }}
),

eval_task_records as (
    select
        source_file,
        record_status
    from {{ ref('int_evals__task_records') }}
    where source_name = 'evals'
),

eval_prediction_records as (
    select * from {{ ref('stg_evals__prediction_records') }}
),

dumps as (
    select * from {{ ref('int_evals__dumps') }}
),

history as (
    select source_file
    from {{ ref('history') }}
),

chosen_runs as (
    select
        source_file,
        count(*) as records_used
    from {{ ref('stg_wandb__runs') }}
    group by source_file
),

run_counts as (
    select
        'wandb_runs' as source_name,
        run_records.source_file,
        any_value(run_records.export_layout) filter (where run_records.export_layout != 'malformed')
            as export_layout,
        count(*) as records_read,
        count(*) filter (where run_records.reject_reason is not null) as records_rejected,
        count(*) filter (where run_records.reject_reason is null)
        - coalesce(any_value(chosen_runs.records_used), 0) as records_superseded,
        0 as records_skipped,
        coalesce(any_value(chosen_runs.records_used), 0) as records_used,
        count(distinct run_records.run_id) filter (where run_records.reject_reason is null)
            as distinct_runs
    from run_records
    left join chosen_runs on run_records.source_file = chosen_runs.source_file
    group by run_records.source_file
),

history_used as (
    -- each history row is the record of one file chosen for its (run_id, step): counting them
    -- per file avoids joining millions of records back to the rows on three keys
    select
        source_file,
        count(*) as records_used
    from history
    group by source_file
),

history_counts as (
    select
        'wandb_history' as source_name,
        history_records.source_file,
        any_value(history_records.history_layout) as export_layout,
        count(*) as records_read,
        count(*) filter (where history_records.reject_reason is not null) as records_rejected,
        count(*) filter (where history_records.reject_reason is null)
        - coalesce(any_value(history_used.records_used), 0) as records_superseded,
        0 as records_skipped,
        coalesce(any_value(history_used.records_used), 0) as records_used,
        count(distinct history_records.run_id) filter (where history_records.reject_reason is null)
            as distinct_runs
    from history_records
    left join history_used on history_records.source_file = history_used.source_file
    group by history_records.source_file
),

qa_prediction_counts as (
    select
        'qa_predictions' as source_name,
        qa_prediction_records.source_file,
        'predictions_jsonl' as export_layout,
        count(*) as records_read,
        count(*) filter (where qa_prediction_records.reject_reason is not null) as records_rejected,
        count(*) filter (
            where
            qa_prediction_records.reject_reason is null
            and prediction_files.file_status is distinct from 'used'
        ) as records_superseded,
        0 as records_skipped,
        count(*) filter (
            where qa_prediction_records.reject_reason is null and prediction_files.file_status = 'used'
        ) as records_used,
        cast(null as bigint) as distinct_runs
    from qa_prediction_records
    left join prediction_files on qa_prediction_records.source_file = prediction_files.source_file
    group by qa_prediction_records.source_file
),

qa_member_reject_counts as (
    select
        archive,
        count(*) filter (where not starts_with(reason, 'skipped')) as members_rejected,
        count(*) filter (where starts_with(reason, 'skipped')) as members_skipped
    from qa_member_rejects
    group by archive
),

qa_archive_counts as (
    -- an archive's records are its members: task files loaded, members refused, members
    -- skipped (not task files); an archive refused whole (unreadable, or a duplicate of a
    -- step another archive provides) is one record, rejected or superseded
    select
        'qa_archives' as source_name,
        qa_archives.archive as source_file,
        case when qa_archives.recipe is null then 'recipe_tarball' else 'step_tarball' end
            as export_layout,
        qa_archives.members_written
        + coalesce(counts.members_rejected, 0)
        + coalesce(counts.members_skipped, 0)
        + case when qa_archives.status = 'rejected' then 1 else 0 end as records_read,
        coalesce(counts.members_rejected, 0)
        + case when qa_archives.status = 'rejected' and not qa_archives.duplicate then 1 else 0 end
            as records_rejected,
        case when qa_archives.status = 'rejected' and qa_archives.duplicate then 1 else 0 end
            as records_superseded,
        coalesce(counts.members_skipped, 0) as records_skipped,
        qa_archives.members_written as records_used,
        cast(null as bigint) as distinct_runs
    from qa_archives
    left join qa_member_reject_counts as counts on qa_archives.archive = counts.archive
),

eval_metrics_lines as (
    select
        source_file,
        any_value(relative_path) as relative_path,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected
    from eval_metrics_records
    group by source_file
),

match_table_counts as (
    -- a matching table is one record: it is used whole or rejected whole
    select
        'matches' as source_name,
        source_file,
        'perf_matches_json' as export_layout,
        1 as records_read,
        case when reject_reason is not null then 1 else 0 end as records_rejected,
        0 as records_superseded,
        0 as records_skipped,
        case when reject_reason is null then 1 else 0 end as records_used,
        cast(null as bigint) as distinct_runs
    from match_tables
),

scaling_law_fit_counts as (
    select
        'datadecide_scaling_law_fits' as source_name,
        source_file,
        'scaling_law_fit_parquet' as export_layout,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected,
        count(*) filter (where reject_reason is null and copy_number > 1) as records_superseded,
        0 as records_skipped,
        count(*) filter (where reject_reason is null and copy_number = 1) as records_used,
        cast(null as bigint) as distinct_runs
    from scaling_law_fits
    group by source_file
),

published_eval_result_counts as (
    -- a row is one (checkpoint, task); macro_avg's rows for the train split's tasks are read
    -- but skipped (the train split has them)
    select
        'datadecide_eval_results' as source_name,
        source_file,
        'eval_results_' || any_value(result_split) || '_parquet' as export_layout,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected,
        count(*) filter (where reject_reason is null and copy_number > 1) as records_superseded,
        count(*) filter (
            where
            reject_reason is null and copy_number = 1 and result_split = 'macro_avg'
            and not list_contains({{ aggregate_tasks }}, task)
        ) as records_skipped,
        count(*) filter (
            where
            reject_reason is null and copy_number = 1
            and (
                result_split = 'train'
                or list_contains({{ aggregate_tasks }}, task)
            )
        ) as records_used,
        cast(null as bigint) as distinct_runs
    from published_eval_results
    group by source_file
),

published_perplexity_counts as (
    -- a record is one (checkpoint, validation set) perplexity
    select
        'datadecide_perplexities' as source_name,
        source_file,
        'ppl_results_parquet' as export_layout,
        count(*) as records_read,
        0 as records_rejected,
        count(*) filter (where copy_number > 1) as records_superseded,
        0 as records_skipped,
        count(*) filter (where copy_number = 1) as records_used,
        cast(null as bigint) as distinct_runs
    from published_perplexities
    group by source_file
),

eval_metrics_usage as (
    select
        source_file,
        count(*) filter (where record_status = 'used') as records_used,
        count(*) filter (where record_status != 'used') as records_superseded
    from eval_task_records
    group by source_file
),

eval_metrics_counts as (
    select
        'eval_metrics' as source_name,
        'evals/' || eval_metrics_lines.relative_path as source_file,
        'metrics_all_jsonl' as export_layout,
        eval_metrics_lines.records_read,
        eval_metrics_lines.records_rejected,
        coalesce(eval_metrics_usage.records_superseded, 0) as records_superseded,
        0 as records_skipped,
        coalesce(eval_metrics_usage.records_used, 0) as records_used,
        cast(null as bigint) as distinct_runs
    from eval_metrics_lines
    left join eval_metrics_usage on eval_metrics_lines.source_file = eval_metrics_usage.source_file
),

eval_prediction_counts as (
    select
        'eval_predictions' as source_name,
        'evals/' || eval_prediction_records.relative_path as source_file,
        'predictions_jsonl' as export_layout,
        count(*) as records_read,
        count(*) filter (
            where
            eval_prediction_records.reject_reason is not null
            or prediction_files.file_status = 'rejected'
        ) as records_rejected,
        count(*) filter (
            where
            eval_prediction_records.reject_reason is null
            and prediction_files.file_status = 'superseded'
        ) as records_superseded,
        0 as records_skipped,
        count(*) filter (
            where eval_prediction_records.reject_reason is null and prediction_files.file_status = 'used'
        ) as records_used,
        cast(null as bigint) as distinct_runs
    from eval_prediction_records
    left join prediction_files on eval_prediction_records.source_file = prediction_files.source_file
    group by eval_prediction_records.relative_path
),

eval_dump_file_counts as (
    select
        'eval_dump_files' as source_name,
        'evals/' || dump_path as source_file,
        'oe_eval_folder' as export_layout,
        n_files as records_read,
        0 as records_rejected,
        0 as records_superseded,
        n_files_skipped as records_skipped,
        n_files_loaded as records_used,
        cast(null as bigint) as distinct_runs
    from dumps
),

unreadable_line_counts as (
    -- lines no reader could read: read and rejected, added to their file's row
    select
        source_name,
        source_file,
        cast(null as varchar) as export_layout,
        count(*) as records_read,
        count(*) as records_rejected,
        0 as records_superseded,
        0 as records_skipped,
        0 as records_used,
        cast(null as bigint) as distinct_runs
    from line_rejects
    group by source_name, source_file
),

unioned as (
    select * from run_counts
    union all
    select * from match_table_counts
    union all
    select * from scaling_law_fit_counts
    union all
    select * from published_eval_result_counts
    union all
    select * from published_perplexity_counts
    union all
    select * from history_counts
    union all
    select * from qa_archive_counts
    union all
    select * from qa_prediction_counts
    union all
    select * from eval_metrics_counts
    union all
    select * from eval_prediction_counts
    union all
    select * from eval_dump_file_counts
    union all
    select * from unreadable_line_counts
),

final as (
    select
        source_name,
        source_file,
        any_value(export_layout) as export_layout,
        cast(sum(records_read) as bigint) as records_read,
        cast(sum(records_rejected) as bigint) as records_rejected,
        cast(sum(records_superseded) as bigint) as records_superseded,
        cast(sum(records_skipped) as bigint) as records_skipped,
        cast(sum(records_used) as bigint) as records_used,
        cast(max(distinct_runs) as bigint) as distinct_runs
    from unioned
    group by source_name, source_file
)

select * from final
