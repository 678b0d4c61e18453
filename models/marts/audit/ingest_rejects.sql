with line_rejects as (
    select * from {{ ref('stg_audit__line_rejects') }}
),

run_records as (
    select * from {{ ref('stg_wandb__run_records') }}
),

normalized_runs as (
    select * from {{ ref('int_runs__normalized') }}
),

history_records as (
    select * from {{ ref('int_wandb__history_records') }}
),

qa_prediction_records as (
    select * from {{ ref('stg_qa__prediction_records') }}
),

qa_task_metrics as (
    select * from {{ ref('stg_qa__task_metrics') }}
),

qa_extraction_rejects as (
    select * from {{ ref('stg_qa__extraction_rejects') }}
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

eval_metrics_records as (
    select * from {{ ref('stg_evals__metrics_records') }}
),

eval_prediction_records as (
    select * from {{ ref('stg_evals__prediction_records') }}
),

eval_prediction_files as (
    select * from {{ ref('int_evals__prediction_files') }}
    where file_status = 'rejected'
),

unusable_run_records as (
    select
        'wandb_runs' as source_name,
        source_file,
        run_id as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from run_records
    where reject_reason is not null
),

runs_without_config as (
    select
        'wandb_runs' as source_name,
        source_file,
        run_id as record_key,
        'run has no config' as reason,
        'kept_partial' as action,
        cast(null as varchar) as raw_excerpt
    from normalized_runs
    where not has_config
),

unparseable_token_counts as (
    select
        'wandb_runs' as source_name,
        source_file,
        run_id as record_key,
        'token count is not a number: ' || token_text as reason,
        'kept_partial' as action,
        cast(null as varchar) as raw_excerpt
    from normalized_runs
    where token_parse_failed
),

unusable_history_records as (
    select
        'wandb_history' as source_name,
        source_file,
        case when run_id is not null then run_id || ' @ step ' || coalesce(cast(step as varchar), '?') end
            as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from history_records
    where reject_reason is not null
),

unusable_qa_archives as (
    select
        'qa_archives' as source_name,
        archive as source_file,
        member as record_key,
        reason,
        'dropped' as action,
        cast(null as varchar) as raw_excerpt
    from qa_extraction_rejects
),

unusable_qa_predictions as (
    select
        'qa_predictions' as source_name,
        source_file,
        cast(doc_id as varchar) as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from qa_prediction_records
    where reject_reason is not null
),

unusable_qa_task_metrics as (
    select
        'qa_task_metrics' as source_name,
        source_file,
        task as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from qa_task_metrics
    where reject_reason is not null
),

unusable_scaling_law_fits as (
    select
        'datadecide_scaling_law_fits' as source_name,
        source_file,
        concat_ws('|', task, mix, fit_metric, setup) as record_key,
        reject_reason as reason,
        'dropped' as action,
        cast(null as varchar) as raw_excerpt
    from scaling_law_fits
    where reject_reason is not null
),

unusable_published_eval_results as (
    select
        'datadecide_eval_results' as source_name,
        source_file,
        concat_ws('|', data, params, seed_role, step, task) as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from published_eval_results
    where reject_reason is not null
),

unusable_match_tables as (
    select
        'matches' as source_name,
        source_file,
        cast(null as varchar) as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from match_tables
    where reject_reason is not null
),

unusable_eval_metrics as (
    select
        'eval_metrics' as source_name,
        'evals/' || relative_path as source_file,
        task_name as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from eval_metrics_records
    where reject_reason is not null
),

unusable_eval_predictions as (
    select
        'eval_predictions' as source_name,
        'evals/' || relative_path as source_file,
        cast(doc_id as varchar) as record_key,
        reject_reason as reason,
        'dropped' as action,
        raw_excerpt
    from eval_prediction_records
    where reject_reason is not null
),

unmatched_eval_prediction_files as (
    select
        'eval_predictions' as source_name,
        'evals/' || {{ eval_relative_path('source_file') }} as source_file,
        task_name as record_key,
        reject_reason as reason,
        'dropped' as action,
        cast(null as varchar) as raw_excerpt
    from eval_prediction_files
),

unreadable_lines as (
    select
        source_name,
        source_file,
        record_key,
        reason,
        'dropped' as action,
        raw_excerpt
    from line_rejects
),

final as (
    select * from unreadable_lines
    union all
    select * from unusable_run_records
    union all
    select * from unusable_match_tables
    union all
    select * from unusable_scaling_law_fits
    union all
    select * from unusable_published_eval_results
    union all
    select * from unusable_qa_archives
    union all
    select * from unusable_qa_predictions
    union all
    select * from unusable_qa_task_metrics
    union all
    select * from unusable_eval_metrics
    union all
    select * from unusable_eval_predictions
    union all
    select * from unmatched_eval_prediction_files
    union all
    select * from unusable_history_records
    union all
    select * from runs_without_config
    union all
    select * from unparseable_token_counts
)

select * from final
