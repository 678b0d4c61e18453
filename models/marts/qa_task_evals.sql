{#- One row per (recipe, params, seed, step, task): a pretrained checkpoint's evaluation on a
    task, from its `<task>-metrics.json`. recipe/params/seed/step/task come from the path. -#}

with task_metrics as (
    select * from {{ ref('stg_qa__task_metrics') }}
    where reject_reason is null
),

final as (
    select
        {{ canonical_recipe('recipe_slug') }} as recipe,
        recipe_slug,
        params,
        seed,
        step,
        task,
        task_name,
        task_hash,
        model_hash,
        num_instances,
        primary_metric,
        primary_score,
        metrics,
        task_config,
        model_config,
        processing_time,
        evaluated_on,
        source_file
    from task_metrics
)

select * from final
