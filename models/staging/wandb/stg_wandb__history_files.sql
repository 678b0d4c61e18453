{#- Every history export file with its size and modification time (metadata only). The
    incremental history models read only files that are new or changed since they were
    loaded. -#}

with source as (
    {{ source_files('wandb', 'history_export_files') }}
),

renamed as (
    select
        filename as source_file,
        size as file_size,
        cast(last_modified at time zone 'UTC' as timestamp) as file_modified_at
    from source
    where filename similar to '.*\.(jsonl|parquet)'
)

select * from renamed
