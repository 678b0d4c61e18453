{#- One row per distinct run: the most recent export of each run, with the number of export
    records that carried it. Most recent = the furthest-progressed summary (`_timestamp`, then
    `_runtime`), then layout C's `exported_at`, then the later file name, then a content hash,
    then the record's position (so the choice never depends on file times and is the same on
    every build). The ranking reads only narrow columns and the chosen records are then taken
    whole by rowid: big config/summary documents never pass through a window or a sort. -#}

with ranked as (
    select
        rowid as record_rowid,
        run_id,
        row_number() over (
            partition by run_id
            order by
                try_cast(summary_last_logged_epoch as double) desc nulls last,
                try_cast(summary_runtime_seconds as double) desc nulls last,
                exported_at desc nulls last,
                source_file desc,
                content_hash desc,
                rowid asc
        ) as export_rank,
        count(*) over (partition by run_id) as n_export_records
    from {{ ref('stg_wandb__run_records') }}
    where reject_reason is null
),

chosen as (
    select
        record_rowid,
        n_export_records
    from ranked
    where export_rank = 1
),

records as (
    -- a semi-join: the chosen rowids are the hash table and the records stream past it (a
    -- plain join may build its table from the records, 100+ KB each: GBs at 50,000 runs)
    select
        rowid as record_rowid,
        * exclude (
            reject_reason, raw_excerpt, file_size, file_modified_at, content_hash
        )
    from {{ ref('stg_wandb__run_records') }}
    where rowid in (select chosen.record_rowid from chosen)
),

joined as (
    select
        records.*,
        chosen.n_export_records
    from records
    inner join chosen on records.record_rowid = chosen.record_rowid
),

renamed as (
    select * exclude (record_rowid)
    from joined
)

select * from renamed
