{#- The config and the summary stay the text they are, apart from the one parse of each:
    re-serialising 100+ KB documents as JSON values (a cast, or a '$' path) costs memory the
    build does not have at 10,000 runs. -#}
{%- set config_specs = run_payload_field_specs('config', ['$']) -%}

with source as (
    {{ source_files('wandb', 'run_export_parquet') }}
),

renamed as (
    select
        filename as source_file,
        {{ json_fields_list('config', config_specs) }} as config_fields,
        'runs_parquet' as export_layout,
        cast(null as varchar) as raw_excerpt,
        cast(run_id as varchar) as run_id,
        cast(run_name as varchar) as run_name,
        cast(null as varchar) as display_name,
        cast(state as varchar) as state,
        cast(project as varchar) as project,
        cast(entity as varchar) as entity,
        cast(created_at as varchar) as created_at,
        cast(null as varchar) as updated_at,
        cast(null as varchar) as exported_at,
        -- tags only, found by a regex search that stops at the key (near the start of the
        -- document): parsing 80-140 KB of system_attrs per record costs ~300 MB per vector
        try_cast(
            nullif(regexp_extract(system_attrs, '"tags": ?(\[[^\]]*\])', 1), '') as json
        ) as tags,
        cast(null as varchar) as run_group,
        cast(null as varchar) as job_type,
        cast(null as varchar) as sweep_name,
        cast(config as varchar) as config,
        cast(summary as varchar) as summary,
        config_fields is not null and regexp_matches(config, '^\s*\{') as config_is_object,
        {{ json_fields_columns('config_fields', config_specs) | indent(8) }}
    from source
)

select * exclude (config_fields)
from renamed
