{#- Layouts A and C of the run export, one row per non-blank line. Each line is parsed once:
    a single json_extract pulls every field of both layouts; a line that is not JSON keeps
    null fields and is reported by stg_wandb__run_records. -#}
{%- set specs = [
    {'name': 'run_id', 'kind': 'text', 'paths': ['$.run_id', '$.run.run_id']},
    {'name': 'run_name', 'kind': 'text', 'paths': ['$.run_name', '$.run.name']},
    {'name': 'display_name', 'kind': 'text', 'paths': ['$.run.display_name']},
    {'name': 'state', 'kind': 'text', 'paths': ['$.state', '$.run.state']},
    {'name': 'project', 'kind': 'text', 'paths': ['$.project', '$.run.project']},
    {'name': 'entity', 'kind': 'text', 'paths': ['$.entity', '$.run.entity']},
    {'name': 'created_at', 'kind': 'text', 'paths': ['$.created_at', '$.run.created_at']},
    {'name': 'updated_at', 'kind': 'text', 'paths': ['$.run.updated_at']},
    {'name': 'exported_at', 'kind': 'text', 'paths': ['$.exported_at']},
    {'name': 'tags', 'kind': 'json', 'paths': ['$.run.tags', '$.system_attrs.tags']},
    {'name': 'run_group', 'kind': 'text', 'paths': ['$.run.group']},
    {'name': 'job_type', 'kind': 'text', 'paths': ['$.run.job_type']},
    {'name': 'sweep_name', 'kind': 'text', 'paths': ['$.run.sweep_name']},
    {'name': 'config', 'kind': 'json', 'paths': ['$.config', '$.run.config']},
    {'name': 'summary', 'kind': 'json', 'paths': ['$.summary', '$.run.summary_metrics']},
    {'name': 'wandb_metadata', 'kind': 'json', 'paths': ['$.wandb_metadata', '$.run.metadata']},
    {'name': 'system_metrics', 'kind': 'json', 'paths': ['$.system_metrics', '$.run.system_metrics']},
    {'name': 'system_attrs', 'kind': 'json', 'paths': ['$.system_attrs', '$.run.system_attrs']},
    {'name': 'sweep_info', 'kind': 'json', 'paths': ['$.sweep_info', '$.run.sweep_info']},
] + run_payload_field_specs(['$.config', '$.run.config'], ['$.summary', '$.run.summary_metrics']) -%}

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
        {{ json_fields_columns('fields', specs) | indent(8) }}
    from source
    where trim(coalesce(line, '')) != ''
)

select * exclude (fields)
from renamed
