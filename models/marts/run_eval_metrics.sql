{#- Evaluation scores logged in run summaries, long form: one row per (run_id, task, metric),
    with the canonical metric label (SPEC §7; null when unresolvable, e.g. aggregate tasks). -#}

with eval_metrics as (
    select * from {{ ref('int_runs__eval_metrics') }}
),

final as (
    select
        run_id,
        task,
        metric,
        value,
        metric_label,
        summary_key
    from eval_metrics
)

select * from final
