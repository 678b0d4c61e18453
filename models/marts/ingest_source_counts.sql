{#- Per source and file: how many records were read, rejected, superseded by a newer export
    of the same run, and used. read = rejected + superseded + used, checked by a test. -#}

with run_records as (
    select * from {{ ref('stg_wandb__run_records') }}
),

final as (
    select
        'wandb_runs' as source_name,
        source_file,
        any_value(export_layout) filter (where export_layout != 'malformed') as export_layout,
        count(*) as records_read,
        count(*) filter (where reject_reason is not null) as records_rejected,
        count(*) filter (where export_rank > 1) as records_superseded,
        count(*) filter (where export_rank = 1) as records_used,
        count(distinct run_id) filter (where reject_reason is null) as distinct_runs
    from run_records
    group by source_file
)

select * from final
