{#- Every run export file with its size and modification time (metadata only). The run
    records are loaded file by file: only new or changed files are read again. -#}

with source as (
    {{ source_files('wandb', 'run_export_files') }}
),

renamed as (
    select
        {{ file_listing_columns() | indent(8) }}
    from source
    where filename similar to '.*\.(jsonl|parquet)'
)

select * from renamed
