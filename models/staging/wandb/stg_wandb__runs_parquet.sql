{#- Layout B of the run export: string columns, the nested ones holding JSON text. The config
    and summary documents are each parsed once (one json_extract for all their fields) and
    otherwise kept as the text they are: re-serialising 100+ KB documents as JSON values
    (a cast, or a '$' path) costs memory the build does not have at 10,000 runs. -#}
{%- set config_specs = run_payload_field_specs('config', ['$']) -%}
{%- set summary_specs = run_payload_field_specs('summary', ['$']) -%}

with source as (
    {{ source_files('wandb', 'run_export_parquet') }}
),

renamed as (
    select
        filename as source_file,
        {{ json_fields_list('config', config_specs) }} as config_fields,
        {{ json_fields_list('summary', summary_specs) }} as summary_fields,
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
        try(cast(system_attrs as json)) as system_attrs,
        try(json_extract(system_attrs, '$.tags')) as tags,
        cast(null as varchar) as run_group,
        cast(null as varchar) as job_type,
        cast(null as varchar) as sweep_name,
        cast(config as varchar) as config,
        cast(summary as varchar) as summary,
        {{ json_fields_columns('config_fields', config_specs) | indent(8) }},
        {{ json_fields_columns('summary_fields', summary_specs) | indent(8) }},
        try(cast(wandb_metadata as json)) as wandb_metadata,
        try(cast(system_metrics as json)) as system_metrics,
        try(cast(sweep_info as json)) as sweep_info
    from source
)

select * exclude (config_fields, summary_fields)
from renamed
