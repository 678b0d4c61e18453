{#- One row per distinct run: the most recent export of each run, with the number of export
    records that carried it. Most recent = the furthest-progressed summary (`_timestamp`, then
    `_runtime`), then layout C's `exported_at`, then the later file name, then a content hash
    (so the choice never depends on file times and is the same on every build). The ranking
    reads only narrow columns; the chosen records are then taken whole. -#}

with source as (
    select * from {{ ref('stg_wandb__run_records') }}
    where reject_reason is null
),

ranked as (
    select
        run_id,
        source_file,
        content_hash,
        row_number() over (
            partition by run_id
            order by
                try_cast(summary_last_logged_epoch as double) desc nulls last,
                try_cast(summary_runtime_seconds as double) desc nulls last,
                exported_at desc nulls last,
                source_file desc,
                content_hash desc
        ) as export_rank,
        count(*) over (partition by run_id) as n_export_records
    from source
),

chosen as (
    select
        run_id,
        source_file,
        content_hash,
        n_export_records
    from ranked
    where export_rank = 1
),

renamed as (
    select
        source.* exclude (
            reject_reason, raw_excerpt, system_metrics, system_attrs, sweep_info,
            file_size, file_modified_at, _loaded_at, content_hash
        ),
        chosen.n_export_records
    from source
    inner join chosen
        on
            source.run_id = chosen.run_id
            and source.source_file = chosen.source_file
            and source.content_hash = chosen.content_hash
    qualify row_number() over (partition by source.run_id) = 1
)

select * from renamed
