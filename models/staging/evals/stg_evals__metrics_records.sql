{{ config(
    materialized='table',
    post_hook="{{ collect_line_rejects('eval_metrics', 'metrics_all_lines', ref('stg_evals__dump_files'), by_file=false) }}",
) }}
{#- A table, so that the files are scanned once (the post-hook records that scan's unreadable
    lines) however many models read the lines. -#}
{%- set line_type = var('eval_metrics_line_json_type') | replace('\n', ' ') %}

with source as (
    {{ source_files('evals', 'metrics_all_lines') }}
),

renamed as (
    select
        filename as source_file,
        {{ eval_relative_path('filename') }} as relative_path,
        {{ eval_dump_path('relative_path') }} as dump_path,
        md5(line) as record_hash,
        try(from_json(line, {{ sql_string(line_type) }})) as task_record,
        case
            when task_record is null then 'malformed JSON line'
            when nullif(task_record['task_name'], '') is null then 'metrics line has no task_name'
        end as reject_reason,
        case when task_record is null then left(line, 200) end as raw_excerpt
    from source
    where {{ has_text('line') }}
),

final as (
    select
        renamed.source_file,
        renamed.relative_path,
        renamed.dump_path,
        renamed.record_hash,
        renamed.task_record.task_name,
        renamed.task_record.task_hash,
        renamed.task_record.model_hash,
        nullif(renamed.task_record.model_config ->> '$.model', '') as model_name,
        nullif(renamed.task_record.model_config ->> '$.model_path', '') as model_path,
        nullif(renamed.task_record.model_config ->> '$.revision', '') as model_revision,
        renamed.task_record.num_instances,
        renamed.task_record.task_idx,
        renamed.task_record.processing_time,
        renamed.task_record.current_date as evaluated_on,
        {{ eval_evaluated_at('renamed.task_record.current_date') }} as evaluated_at,
        renamed.task_record.task_config ->> '$.primary_metric' as primary_metric,
        {{ finite_double("renamed.task_record.metrics ->> '$.primary_score'") }} as primary_score,
        renamed.task_record.metrics,
        renamed.task_record.task_config,
        renamed.task_record.model_config,
        renamed.task_record.compute_config,
        renamed.task_record.beaker_info,
        renamed.reject_reason,
        renamed.raw_excerpt
    from renamed
)

select * from final
