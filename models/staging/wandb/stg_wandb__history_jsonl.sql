{%- set entry_type = var('history_entry_json_type') | replace('\n', ' ') -%}

with source as (
    {{ source_files('wandb', 'history_export_lines') }}
),

parsed as (
    select
        filename as source_file,
        regexp_matches(line, '^\s*\[') as is_array,
        case when is_array then 'history_array_jsonl' else 'exporter_history_jsonl' end
            as history_layout,
        case
            when is_array then try(from_json(line, {{ sql_string('[' ~ entry_type ~ ']') }}))
            else try([from_json(line, {{ sql_string(entry_type) }})])
        end as entries,
        case when entries is null then left(line, 200) end as raw_excerpt
    from source
    where {{ has_text('line') }}
),

renamed as (
    select
        source_file,
        history_layout,
        raw_excerpt,
        entries is not null as line_parsed,
        unnest(coalesce(entries, [null])) as entry
    from parsed
),

final as (
    select
        renamed.source_file,
        renamed.history_layout,
        {{ history_entry_columns('renamed.entry') | indent(8) }},
        {{ history_reject_reason(
            'renamed.entry',
            'renamed.entry.run_id',
            'try_cast(try_cast(renamed.entry.step as double) as bigint)',
        ) }} as reject_reason,
        renamed.raw_excerpt
    from renamed
)

select * exclude (core_metrics) from final
