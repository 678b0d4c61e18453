{{ config(severity='warn') }}
-- Metric spellings the metric-label dictionary cannot resolve: comparison metrics of matched
-- runs, and evaluation keys of run summaries (one row per distinct key, with a run having it).
with unresolved_comparison_metrics as (
    select
        'comparison_metric' as label_source,
        comparison_metric_raw as raw_label,
        run_id as example_run_id
    from {{ ref('int_runs__normalized') }}
    where comparison_metric_raw is not null and comparison_metric is null
),

unresolved_summary_keys as (
    select
        'run_summary_key' as label_source,
        summary_key as raw_label,
        min(run_id) as example_run_id
    from {{ ref('run_eval_metrics') }}
    where metric_label is null
    group by summary_key
)

select * from unresolved_comparison_metrics
union all
select * from unresolved_summary_keys
