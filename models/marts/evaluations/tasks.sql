with eval_tasks as (
    select
        task,
        task_kind,
        task_family,
        n_choices
    from {{ ref('eval_tasks') }}
),

task_records as (
    select
        task_name,
        primary_metric
    from {{ ref('int_evals__task_records') }}
),

prediction_files as (
    select task_name
    from {{ ref('int_evals__prediction_files') }}
    where file_status != 'rejected'
),

evaluated as (
    select
        task_name,
        -- the metric most of its records name (ties: the first in name order)
        mode(primary_metric order by primary_metric) as primary_metric
    from (
        select
            task_name,
            primary_metric
        from task_records
        union all
        select
            task_name,
            cast(null as varchar) as primary_metric
        from prediction_files
    ) as seen
    group by task_name
),

named as (
    select
        task_name,
        primary_metric
    from evaluated
    union all
    select
        eval_tasks.task as task_name,
        cast(null as varchar) as primary_metric
    from eval_tasks
    where eval_tasks.task not in (select evaluated.task_name from evaluated)
),

final as (
    select
        named.task_name,
        {{ eval_base_task('named.task_name') }} as task,
        coalesce(
            eval_tasks.task_family,
            case when starts_with({{ eval_base_task('named.task_name') }}, 'mmlu') then 'mmlu' end,
            {{ eval_base_task('named.task_name') }}
        ) as task_family,
        coalesce(eval_tasks.task_kind, 'unknown') as task_kind,
        named.primary_metric,
        eval_tasks.n_choices as choices_per_question,
        1.0 / eval_tasks.n_choices as random_baseline,
        eval_tasks.task is not null as is_known
    from named
    left join eval_tasks on {{ eval_base_task('named.task_name') }} = eval_tasks.task
)

select * from final
