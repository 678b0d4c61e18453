{#- History exports in Parquet: flat rows (layout A) and layout B converted to Parquet (one
    row per run, a list column `json`). Which file is which is read from the Parquet
    metadata at build time; each branch reads only its files. In flat files every column
    other than run_id/step/timestamp/runtime is a metric: its non-null values go into `metrics`. -#}
{%- set layouts = history_parquet_layouts('wandb', 'history_export_parquet') -%}

-- depends_on: {{ source('wandb', 'history_export_parquet') }}

with flat_entries as (
    {{ history_parquet_flat_entries(layouts) }}
),

nested_entries as (
    {{ history_parquet_nested_entries(layouts) }}
),

entries as (
    select * from flat_entries
    union all
    select * from nested_entries
),

renamed as (
    select
        entries.source_file,
        entries.history_layout,
        {{ history_entry_columns('entries.entry') | indent(8) }},
        {{ history_reject_reason(
            "'parquet'",
            'entries.entry.run_id',
            'try_cast(try_cast(entries.entry.step as double) as bigint)',
        ) }} as reject_reason,
        cast(null as varchar) as raw_excerpt
    from entries
)

select * exclude (core_metrics) from renamed
