-- depends_on: {{ ref('load_qa__archives') }}

with source as (
    select * from {{ source('qa', 'task_metrics_records') }}
),

renamed as (
    select
        source_file,
        recipe_slug,
        params,
        seed,
        step,
        task,
        task_name,
        task_hash,
        model_hash,
        num_instances,
        task_idx,
        processing_time,
        evaluated_on,
        evaluated_at,
        primary_metric,
        primary_score,
        metrics,
        task_config,
        model_config,
        record_hash,
        reject_reason,
        raw_excerpt
    from source
)

select * from renamed
