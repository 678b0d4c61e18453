{#- Which file has which layout is read from the Parquet metadata at build time
    (history_parquet_layouts), so that each branch reads only its own files. -#}
{%- set layouts = history_parquet_layouts('wandb', 'history_export_parquet') -%}

-- depends_on: {{ source('wandb', 'history_export_parquet') }}

with flat_records as (
    {{ history_parquet_flat_records(layouts) }}
),

nested_entries as (
    {{ history_parquet_nested_entries(layouts) }}
),

nested_records as (
    select
        nested_entries.source_file,
        nested_entries.history_layout,
        {{ history_entry_columns('nested_entries.entry') | indent(8) }},
        {{ history_reject_reason(
            "'parquet'",
            'nested_entries.entry.run_id',
            'try_cast(try_cast(nested_entries.entry.step as double) as bigint)',
        ) }} as reject_reason,
        cast(null as varchar) as raw_excerpt
    from nested_entries
),

final as (
    select * from flat_records
    union all by name
    select * exclude (core_metrics) from nested_records
)

select * from final
