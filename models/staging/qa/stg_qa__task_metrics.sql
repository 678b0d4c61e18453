{#- Every extracted `<task>-metrics.json`, parsed once; `task` is the file's stem as written
    (it may carry oe-eval's `task-NNN-` prefix and a variant). -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}
{%- set metrics_type = var('qa_task_metrics_json_type') | replace('\n', ' ') %}

with source as (
    {{ source_files('qa', 'task_metrics_files') }}
),

renamed as (
    select
        filename as source_file,
        {{ qa_path_columns('filename') | indent(8) }},
        md5(content) as record_hash,
        try(from_json(content, {{ sql_string(metrics_type) }})) as task_metrics,
        case when task_metrics is null then 'malformed metrics JSON' end as reject_reason,
        case when task_metrics is null then left(content, 200) end as raw_excerpt
    from source
)

select
    renamed.source_file,
    renamed.recipe_slug,
    renamed.params,
    renamed.seed,
    renamed.step,
    renamed.task,
    renamed.task_metrics.task_name,
    renamed.task_metrics.task_hash,
    renamed.task_metrics.model_hash,
    renamed.task_metrics.num_instances,
    renamed.task_metrics.task_idx,
    renamed.task_metrics.processing_time,
    renamed.task_metrics.current_date as evaluated_on,
    {{ eval_evaluated_at('renamed.task_metrics.current_date') }} as evaluated_at,
    renamed.task_metrics.task_config ->> '$.primary_metric' as primary_metric,
    {{ finite_double("renamed.task_metrics.metrics ->> '$.primary_score'") }} as primary_score,
    renamed.task_metrics.metrics,
    renamed.task_metrics.task_config,
    renamed.task_metrics.model_config,
    renamed.record_hash,
    renamed.reject_reason,
    renamed.raw_excerpt
from renamed
