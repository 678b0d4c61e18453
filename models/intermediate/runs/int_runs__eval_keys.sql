{{ config(materialized='table') }}

with summary_keys as materialized (
    -- materialized: the few hundred keys are then what the pattern match and the label
    -- joins read (left inline, DuckDB planned the label lookups over all 14.5 M values of
    -- 50,000 runs: 15 s)
    select distinct unnest(map_keys(chosen_runs.summary_values)) as summary_key
    from {{ ref('stg_wandb__runs') }} as chosen_runs
),

evaluation_keys as (
    select summary_keys.summary_key
    from summary_keys
    where {{ like_any('summary_keys.summary_key', var('run_eval_metric_keys')) }}
),

metric_labels as (
    select
        label_key,
        metric_label
    from {{ ref('int_metric_labels') }}
),

classified as (
    select
        summary_key,
        case
            when starts_with(summary_key, 'eval/')
                then regexp_extract(summary_key, '^eval/(.+)-validation/Perplexity$', 1)
            else split_part(summary_key, '/', 2)
        end as task,
        case
            when starts_with(summary_key, 'eval/') then 'valppl'
            else split_part(summary_key, '/', 3)
        end as metric
    from evaluation_keys
),

final as (
    -- the key's own label, else that of `<base task>_<metric>` (label_key is unique)
    select
        classified.summary_key,
        classified.task,
        classified.metric,
        coalesce(own_label.metric_label, base_task_label.metric_label) as metric_label
    from classified
    left join metric_labels as own_label
        on own_label.label_key = {{ label_key('classified.summary_key') }}
    left join metric_labels as base_task_label
        on base_task_label.label_key = {{
            label_key("split_part(classified.task, ':', 1) || '_' || classified.metric")
        }}
)

select * from final
