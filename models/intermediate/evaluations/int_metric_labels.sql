{{ config(materialized='table') }}

with perplexity_sets as (
    select perplexity_set from {{ ref('perplexity_sets') }}
),

eval_tasks as (
    select
        task,
        task_kind
    from {{ ref('eval_tasks') }}
),

eval_metrics as (
    select metric from {{ ref('eval_metrics') }}
),

eval_metric_aggregations as (
    select suffix from {{ ref('eval_metric_aggregations') }}
),

metric_aliases as (
    select
        alias,
        metric_label
    from {{ ref('metric_aliases') }}
),

perplexity_spellings as (
    select
        unnest([
            perplexity_set,
            perplexity_set || '-valppl',
            'eval/' || perplexity_set || '-validation/Perplexity',
            'pretrain_eval/' || perplexity_set || '-validation/Perplexity'
        ]) as spelling,
        perplexity_set || '-valppl' as metric_label,
        'perplexity' as label_kind,
        perplexity_set as task,
        'valppl' as metric
    from perplexity_sets
),

task_metric_spellings as (
    select
        eval_tasks.task || '_' || eval_metrics.metric as spelling,
        eval_tasks.task || '_' || eval_metrics.metric as metric_label,
        'downstream' as label_kind,
        eval_tasks.task,
        eval_metrics.metric
    from eval_tasks
    cross join eval_metrics
),

aggregate_metric_spellings as (
    select
        eval_tasks.task || '_' || eval_metrics.metric || '_' || eval_metric_aggregations.suffix
            as spelling,
        eval_tasks.task || '_' || eval_metrics.metric || '_' || eval_metric_aggregations.suffix
            as metric_label,
        'downstream' as label_kind,
        eval_tasks.task,
        eval_metrics.metric || '_' || eval_metric_aggregations.suffix as metric
    from eval_tasks
    cross join eval_metrics
    cross join eval_metric_aggregations
    where eval_tasks.task_kind = 'aggregate'
),

alias_spellings as (
    select
        metric_aliases.alias as spelling,
        metric_aliases.metric_label,
        'alias' as label_kind,
        cast(null as varchar) as task,
        cast(null as varchar) as metric
    from metric_aliases
),

unioned as (
    select * from perplexity_spellings
    union all
    select * from task_metric_spellings
    union all
    select * from aggregate_metric_spellings
    union all
    select * from alias_spellings
),

final as (
    select
        {{ label_key('spelling') }} as label_key,
        any_value(metric_label order by label_kind desc) as metric_label,
        count(distinct metric_label) as n_labels,
        min(spelling) as example_spelling
    from unioned
    group by 1
)

select * from final
