{{
    config(
        materialized='incremental',
        unique_key='source_file',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_deleted_files(ref('stg_wandb__run_files')) }}",
            "{{ collect_line_rejects('wandb_runs', 'run_export_lines', ref('stg_wandb__run_files')) }}",
        ],
    )
}}
{%- set files_to_load = files_to_load(ref('stg_wandb__run_files')) -%}

with files as (
    select * from {{ ref('stg_wandb__run_files') }}
),

jsonl as (
    -- JSON text as VARCHAR on both sides of the union (no re-validation of big documents)
    select
        * exclude (config, summary),
        cast(config as varchar) as config,
        cast(summary as varchar) as summary
    from {{ ref('stg_wandb__runs_jsonl') }}
    where source_file in ({{ files_to_load }})
),

parquet as (
    select * from {{ ref('stg_wandb__runs_parquet') }}
    where source_file in ({{ files_to_load }})
),

unioned as (
    select * from jsonl
    union all by name
    select * from parquet
),

checked as (
    select
        unioned.*,
        case
            when unioned.export_layout = 'malformed' then 'malformed JSON line'
            when nullif(trim(unioned.run_id), '') is null then 'record has no run_id'
        end as reject_reason,
        coalesce(unioned.config_is_object, false) as has_config,
        -- finds the record's config in its export file again (run_configs hashes the same text)
        hash(unioned.config) as config_hash,
        hash(unioned.run_name, unioned.state, config_hash, unioned.summary) as content_hash,
        -- numbers only (other values become null); NaN/Infinity are kept here and filtered
        -- by the readers: a per-entry lambda over millions of entries costs seconds
        try(from_json(unioned.summary, '"MAP(VARCHAR, DOUBLE)"')) as summary_values
    from unioned
),

without_summary_text as (
    -- the summary's typed fields (var('run_summary_fields')) from its numeric map; neither
    -- document's text is stored
    select
        * exclude (config, summary, config_is_object),
    {%- for name, key in var('run_summary_fields').items() %}
    cast(summary_values[{{ sql_string(key) }}] as varchar) as summary_{{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from checked
),

final as (
    select
        without_summary_text.*,
        files.file_size,
        files.file_modified_at,
        cast('{{ run_started_at }}' as timestamp) as _loaded_at
    from without_summary_text
    inner join files on without_summary_text.source_file = files.source_file
)

select * from final
