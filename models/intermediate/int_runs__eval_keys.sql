{{ config(materialized='table') }}
{#- One row per summary key in int_runs__eval_values: its task and metric (from the key) and
    its canonical metric label (SPEC §7): the key's own, else that of `<base task>_<metric>`
    where the base task is the key's task before its first `:` (oe-eval task names such as
    `core_9mcqa:rc::olmes:full`); null when unresolvable, listed by a warning test. Rebuilt
    on every build from the stored values (a few hundred keys), so a changed label
    dictionary relabels every value at once. -#}

with summary_keys as (
    select distinct eval_values.summary_key
    from {{ ref('int_runs__eval_values') }} as eval_values
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
    from summary_keys
),

final as (
    select
        summary_key,
        task,
        metric,
        coalesce(
            {{ canonical_metric_label('summary_key') }},
            {{ canonical_metric_label("split_part(task, ':', 1) || '_' || metric") }}
        ) as metric_label
    from classified
)

select * from final
