{#- Per source and file: how many records were read, rejected, superseded by a newer export
    of the same run (runs) or step (history), and used. read = rejected + superseded + used,
    checked by a test. -#}

with run_records as (
    select * from {{ ref('stg_wandb__run_records') }}
),

history_records as (
    select * from {{ ref('int_wandb__history_records') }}
),

qa_prediction_records as (
    select * from {{ ref('stg_qa__prediction_records') }}
),

match_tables as (
    select * from {{ ref('stg_matches__match_tables') }}
),

history as (
    select
        run_id,
        step,
        source_file
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
        coalesce(any_value(chosen_runs.records_used), 0) as records_used,
        count(distinct run_records.run_id) filter (where run_records.reject_reason is null)
            as distinct_runs
    from run_records
    left join chosen_runs on run_records.source_file = chosen_runs.source_file
    group by run_records.source_file
),

history_usage as (
    select
        history_records.source_file,
        history_records.history_layout,
        history_records.reject_reason,
        history_records.run_id,
        history.source_file is not null as is_used
    from history_records
    left join history
        on
            history_records.run_id = history.run_id
            and history_records.step = history.step
            and history_records.source_file = history.source_file
),

history_counts as (
    select
        'wandb_history' as source_name,
        source_file,
        any_value(history_layout) as export_layout,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected,
        count(*) filter (where reject_reason is null and not is_used) as records_superseded,
        count(*) filter (where is_used) as records_used,
        count(distinct run_id) filter (where reject_reason is null) as distinct_runs
    from history_usage
    group by source_file
),

qa_prediction_counts as (
    select
        'qa_predictions' as source_name,
        regexp_replace(source_file, '^.*/files/', '') as source_file,
        'predictions_jsonl' as export_layout,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected,
        0 as records_superseded,
        count(*) filter (where reject_reason is null) as records_used,
        cast(null as bigint) as distinct_runs
    from qa_prediction_records
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
        case when reject_reason is null then 1 else 0 end as records_used,
        cast(null as bigint) as distinct_runs
    from match_tables
),

final as (
    select * from run_counts
    union all
    select * from match_table_counts
    union all
    select * from history_counts
    union all
    select * from qa_prediction_counts
)

select * from final
