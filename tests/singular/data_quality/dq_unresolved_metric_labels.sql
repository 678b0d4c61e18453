{{ config(severity='warn') }}
-- Comparison metrics of matched runs that the metric-label dictionary cannot resolve.
select
    run_id,
    comparison_metric_raw
from {{ ref('int_runs__normalized') }}
where comparison_metric_raw is not null and comparison_metric is null
