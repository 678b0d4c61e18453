{#- One row per distinct run: the most recent export of each run, with the number of export
    records that carried it. Most recent = the furthest-progressed summary (`_timestamp`, then
    `_runtime`), then layout C's `exported_at`, then the later file name, then a content hash
    (so the choice never depends on file times and is the same on every build). -#}

with source as (
    select * from {{ ref('stg_wandb__run_records') }}
    where reject_reason is null
),

ranked as (
    select
        * exclude (
            reject_reason, raw_excerpt, system_metrics, system_attrs, sweep_info,
            file_size, file_modified_at, _loaded_at
        ),
        row_number() over (
            partition by run_id
            order by
                try_cast(summary_last_logged_epoch as double) desc nulls last,
                try_cast(summary_runtime_seconds as double) desc nulls last,
                exported_at desc nulls last,
                source_file desc,
                hash(run_name, state, config, summary) desc
        ) as export_rank,
        count(*) over (partition by run_id) as n_export_records
    from source
),

renamed as (
    select * exclude (export_rank)
    from ranked
    where export_rank = 1
)

select * from renamed
