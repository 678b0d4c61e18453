with source as (
    {{ source_files('wandb', 'history_export_files') }}
),

renamed as (
    select
        {{ file_listing_columns() | indent(8) }}
    from source
    where filename similar to '.*\.(jsonl|parquet)'
)

select * from renamed
