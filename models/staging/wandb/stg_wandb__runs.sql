{#- The ranking reads only narrow columns; the chosen records are then joined by rowid, the
    chosen rowids being the hash table (the filter after the window makes it the small side)
    and the records streaming past it, so the summary maps (hundreds of entries a run) never
    pass through a window, a sort or a hash table, and a reader of a few columns reads only
    those (a semi-join on rowid here kept DuckDB from pruning: every reader scanned every
    column, 1.8 GB at 50,000 runs). -#}

with chosen as (
    select
        rowid as record_rowid,
        count(*) over (partition by run_id) as n_export_records
    from {{ ref('stg_wandb__run_records') }}
    where reject_reason is null
    qualify row_number() over (
            partition by run_id
            order by
                try_cast(summary_last_logged_epoch as double) desc nulls last,
                try_cast(summary_runtime_seconds as double) desc nulls last,
                exported_at desc nulls last,
                source_file desc,
                content_hash desc,
                rowid asc
        ) = 1
),

renamed as (
    select
        records.* exclude (
            records.reject_reason,
            records.raw_excerpt,
            records.file_size,
            records.file_modified_at,
            records.content_hash
        ),
        chosen.n_export_records
    from {{ ref('stg_wandb__run_records') }} as records
    inner join chosen on records.rowid = chosen.record_rowid
)

select * from renamed
