{%- set metrics = var('qa_score_metrics') %}

with instances as (
    select
        checkpoint_id,
        recipe,
        params,
        seed_role,
        step,
        task_name,
        task,
    {%- for metric in metrics %}
    {{ metric }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('qa_instances') }}
    where model_kind = 'pretrained_checkpoint'
),

checkpoints as (
    select
        checkpoint_id,
        recipe,
        params,
        seed_role,
        full_eval_step
    from {{ ref('checkpoints') }}
),

pretrain_metrics as (
    select
        recipe,
        params,
        seed_role,
        step,
        metric_label,
        value
    from {{ ref('pretrain_metrics') }}
),

task_means as (
    select
        checkpoint_id,
        recipe,
        params,
        seed_role,
        step,
        task_name,
        task,
        count(*) as n_questions,
    {%- for metric in metrics %}
    avg({{ metric }}) as {{ metric }}{{ ',' if not loop.last }}
    {%- endfor %}
    from instances
    group by checkpoint_id, recipe, params, seed_role, step, task_name, task
),

metric_means as (
    unpivot task_means
    on {{ metrics | join(', ') }}
    into name metric value qa_mean
),

final as (
    select
        metric_means.checkpoint_id,
        metric_means.recipe,
        metric_means.params,
        metric_means.seed_role,
        metric_means.step,
        metric_means.task_name,
        metric_means.task,
        metric_means.metric,
        metric_means.task || '_' || metric_means.metric as metric_label,
        metric_means.n_questions,
        metric_means.qa_mean,
        checkpoints.full_eval_step,
        pretrain_metrics.value as full_eval_value,
        metric_means.qa_mean - pretrain_metrics.value as difference
    from metric_means
    left join checkpoints on metric_means.checkpoint_id = checkpoints.checkpoint_id
    left join pretrain_metrics
        on
            checkpoints.recipe = pretrain_metrics.recipe
            and checkpoints.params = pretrain_metrics.params
            and checkpoints.seed_role = pretrain_metrics.seed_role
            and checkpoints.full_eval_step = pretrain_metrics.step
            and metric_means.task || '_' || metric_means.metric = pretrain_metrics.metric_label
)

select * from final
