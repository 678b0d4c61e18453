{#- Every extracted `<task>-metrics.json`, parsed once. -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}
{%- set metrics_type = var('qa_task_metrics_json_type') | replace('\n', ' ') %}

with source as (
    {{ source_files('qa', 'task_metrics_files') }}
),

renamed as (
    select
        filename as source_file,
        {{ qa_path_columns('filename') | indent(8) }},
        try(from_json(content, {{ sql_string(metrics_type) }})) as task_metrics,
        case when task_metrics is null then 'malformed metrics JSON' end as reject_reason,
        case when task_metrics is null then left(content, 200) end as raw_excerpt
    from source
)

select
    source_file,
    recipe_slug,
    params,
    seed,
    step,
    task,
    task_metrics.task_name as task_name,
    task_metrics.task_hash as task_hash,
    task_metrics.model_hash as model_hash,
    task_metrics.num_instances as num_instances,
    task_metrics.task_idx as task_idx,
    task_metrics.processing_time as processing_time,
    task_metrics.current_date as evaluated_on,
    task_metrics.task_config ->> '$.primary_metric' as primary_metric,
    {{ finite_double("task_metrics.metrics ->> '$.primary_score'") }} as primary_score,
    task_metrics.metrics as metrics,
    task_metrics.task_config as task_config,
    task_metrics.model_config as model_config,
    reject_reason,
    raw_excerpt
from renamed
