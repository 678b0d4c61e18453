-- depends_on: {{ ref('load_qa__work_folder') }}
{%- set metrics_type = var('qa_task_metrics_json_type') | replace('\n', ' ') %}

with source as (
    select
        files.filename,
        -- read as bytes: a file that is not UTF-8 is a reject, not a failed batch. Every use
        -- decodes inside try() (DuckDB may lift a decode shared by several expressions out of
        -- a try(), where its error would stop the build)
        try(decode(files.content)) as content,
        files.content as content_bytes
    from ({{ source_glob('qa', 'batch_task_metrics_files') }}) as files
),

members as (
    select * from {{ ref('load_qa__batch_members') }}
    where file_kind = 'metrics'
),

renamed as (
    select
        members.archive,
        members.source_file,
        members.recipe_slug,
        members.params,
        members.seed,
        members.step,
        members.task,
        md5(source.content) as record_hash,
        try(from_json(source.content, {{ sql_string(metrics_type) }})) as task_metrics,
        case
            when source.content is null then 'metrics file is not UTF-8'
            when task_metrics is null then 'malformed metrics JSON'
        end as reject_reason,
        case
            when task_metrics is null
                then left(coalesce(source.content, cast(source.content_bytes as varchar)), 200)
        end as raw_excerpt
    from source
    inner join members on source.filename = members.scratch_path
)

select
    renamed.archive,
    renamed.source_file,
    renamed.recipe_slug,
    renamed.params,
    renamed.seed,
    renamed.step,
    renamed.task,
    task_metrics.task_name,
    task_metrics.task_hash,
    task_metrics.model_hash,
    task_metrics.num_instances,
    task_metrics.task_idx,
    task_metrics.processing_time,
    task_metrics.current_date as evaluated_on,
    {{ eval_evaluated_at('task_metrics.current_date') }} as evaluated_at,
    task_metrics.task_config ->> '$.primary_metric' as primary_metric,
    {{ finite_double("task_metrics.metrics ->> '$.primary_score'") }} as primary_score,
    task_metrics.metrics,
    task_metrics.task_config,
    task_metrics.model_config,
    renamed.record_hash,
    renamed.reject_reason,
    renamed.raw_excerpt
from renamed
