{%- set specs = run_export_line_specs() -%}

with source as (
    {{ source_files('wandb', 'run_export_lines') }}
),

renamed as (
    select
        filename as source_file,
        {{ json_fields_list('line', specs) }} as fields,
        case
            when fields is null then 'malformed'
            when fields[{{ json_fields_index(specs, '$.run.run_id') }}] is not null then 'exporter_jsonl'
            else 'runs_jsonl'
        end as export_layout,
        case when fields is null then left(line, 200) end as raw_excerpt,
        -- json_extract writes a value without leading blanks: an object starts with '{'
        starts_with(
            cast(coalesce(
                fields[{{ json_fields_index(specs, '$.config') }}],
                fields[{{ json_fields_index(specs, '$.run.config') }}]
            ) as varchar),
            '{'
        ) as config_is_object,
        {{ json_fields_columns('fields', specs) | indent(8) }}
    from source
    where {{ has_text('line') }}
)

select * exclude (fields)
from renamed
