{#- Per checkpoint and evaluated task (task_name, e.g. arc_easy:rc::olmes): the mean of each
    per-question metric (var('qa_score_metrics')) over the checkpoint's questions in qa_instances, beside full_eval's value of the same
    `<task>_<metric>` (task = the base task) at the checkpoint's full_eval_step, and the
    difference (instance mean
    minus full_eval). A metric no question has is left out; full_eval_value is null where
    full_eval has no such column or step. -#}
{%- set metrics = var('qa_score_metrics') %}

with instances as (
    select
        recipe,
        params,
        seed,
        step,
        task_name,
        task,
    {%- for metric in metrics %}
    {{ metric }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('qa_instances') }}
    where model_kind = 'pretrained_checkpoint'
),

seed_roles as (
    select
        seed_role,
        seed_index,
        qa_folder_seed
    from {{ ref('seed_roles') }}
),

checkpoints as (
    select
        recipe,
        params,
        seed_role,
        step,
        full_eval_step
    from {{ ref('checkpoints') }}
),

pretrain_metrics as (
    select
        data,
        params,
        seed,
        step,
        metric_label,
        value
    from {{ ref('pretrain_metrics') }}
),

task_means as (
    select
        recipe,
        params,
        seed,
        step,
        task_name,
        task,
        count(*) as n_questions,
    {%- for metric in metrics %}
    avg({{ metric }}) as {{ metric }}{{ ',' if not loop.last }}
    {%- endfor %}
    from instances
    group by recipe, params, seed, step, task_name, task
),

metric_means as (
    unpivot task_means
    on {{ metrics | join(', ') }}
    into name metric value qa_mean
),

final as (
    select
        metric_means.recipe,
        metric_means.params,
        seed_roles.seed_role,
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
    left join seed_roles on metric_means.seed = seed_roles.qa_folder_seed
    left join checkpoints
        on
            metric_means.recipe = checkpoints.recipe
            and metric_means.params = checkpoints.params
            and seed_roles.seed_role = checkpoints.seed_role
            and metric_means.step = checkpoints.step
    left join pretrain_metrics
        on
            metric_means.recipe = pretrain_metrics.data
            and metric_means.params = pretrain_metrics.params
            and seed_roles.seed_index = pretrain_metrics.seed
            and checkpoints.full_eval_step = pretrain_metrics.step
            and metric_means.task || '_' || metric_means.metric = pretrain_metrics.metric_label
)

select * from final
