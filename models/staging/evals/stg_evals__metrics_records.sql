{#- Every line of every `metrics-all.jsonl` under evals/, parsed once
    (var('eval_metrics_line_json_type')): one task of one evaluated model, aggregate tasks
    included. Lines that are not JSON, or have no task_name, keep `reject_reason`. -#}
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
        source_file,
        relative_path,
        dump_path,
        record_hash,
        task_record.task_name,
        task_record.task_hash,
        task_record.model_hash,
        task_record.model_config ->> '$.model' as model_name,
        task_record.model_config ->> '$.model_path' as model_path,
        task_record.model_config ->> '$.revision' as model_revision,
        task_record.num_instances,
        task_record.task_idx,
        task_record.processing_time,
        task_record.current_date as evaluated_on,
        {{ eval_evaluated_at('task_record.current_date') }} as evaluated_at,
        task_record.task_config ->> '$.primary_metric' as primary_metric,
        {{ finite_double("task_record.metrics ->> '$.primary_score'") }} as primary_score,
        task_record.metrics,
        task_record.task_config,
        task_record.model_config,
        task_record.compute_config,
        task_record.beaker_info,
        reject_reason,
        raw_excerpt
    from renamed
)

select * from final
