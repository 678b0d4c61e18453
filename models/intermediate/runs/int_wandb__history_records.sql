{{
    config(
        materialized='incremental',
        unique_key='source_file',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_deleted_files(ref('stg_wandb__history_files')) }}",
            "{{ collect_line_rejects('wandb_history', 'history_export_lines', ref('stg_wandb__history_files')) }}",
        ],
    )
}}
{%- set files_to_load = files_to_load(ref('stg_wandb__history_files')) -%}

with files as (
    select * from {{ ref('stg_wandb__history_files') }}
),

jsonl_records as (
    select * from {{ ref('stg_wandb__history_jsonl') }}
    where source_file in ({{ files_to_load }})
),

parquet_records as (
    select * from {{ ref('stg_wandb__history_parquet') }}
    where source_file in ({{ files_to_load }})
),

records as (
    select * from jsonl_records
    union all by name
    select * from parquet_records
),

final as (
    select
        records.*,
        files.file_size,
        files.file_modified_at,
        cast('{{ run_started_at }}' as timestamp) as _loaded_at
    from records
    inner join files on records.source_file = files.source_file
)

select * from final
