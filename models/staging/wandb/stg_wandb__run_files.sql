{#- Every run export file with its size and modification time (metadata only). The run
    records are loaded file by file: only new or changed files are read again. -#}

with source as (
    {{ source_files('wandb', 'run_export_files') }}
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
