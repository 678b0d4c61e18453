{{ config(materialized='view') }}
{#- Evaluation scores logged in run summaries, long form: one row per (run_id, task, metric).
    A view: the values (int_runs__eval_values, incremental) joined to their key's task,
    metric and label (int_runs__eval_keys, a few hundred rows), so that the three texts are
    stored once per key rather than once per value. -#}

with eval_values as (
    select
        run_id,
        summary_key,
        value,
        record_key,
        label_version
    from {{ ref('int_runs__eval_values') }}
),

eval_keys as (
    select
        summary_key,
        task,
        metric,
        metric_label
    from {{ ref('int_runs__eval_keys') }}
),

final as (
    select
        eval_values.run_id,
        eval_keys.task,
        eval_keys.metric,
        eval_values.value,
        eval_keys.metric_label,
        eval_values.summary_key,
        eval_values.record_key,
        eval_values.label_version
    from eval_values
    inner join eval_keys on eval_values.summary_key = eval_keys.summary_key
)

select * from final
