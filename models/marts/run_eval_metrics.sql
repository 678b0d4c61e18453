{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="
            delete from {{ this }}
            where not exists (
                select 1
                from {{ ref('stg_wandb__runs') }} as current_runs
                where
                    current_runs.run_id = run_eval_metrics.run_id
                    and current_runs.source_file = run_eval_metrics.source_file
                    and current_runs._loaded_at = run_eval_metrics._loaded_at
            )
        ",
    )
}}
{#- Evaluation scores logged in run summaries, long form: one row per (run_id, task, metric),
    with the canonical metric label (SPEC §7; null when unresolvable, listed by a warning test).
    Incremental (millions of rows at 10,000 runs): a build recomputes only the runs whose
    chosen export record is new (another file, or its file reloaded: source_file, _loaded_at),
    and every run when the label dictionary or var('run_eval_metric_keys') changed
    (label_version); rows of records no longer chosen, or of runs gone, are removed
    (post-hook). `dbt build --full-refresh` rebuilds it whole. -#}

with eval_metrics as (
    select * from {{ ref('int_runs__eval_metrics') }}
),

label_version as (
    select
        md5(
            string_agg(
                metric_labels.label_key || '=' || coalesce(metric_labels.metric_label, ''), ','
                order by metric_labels.label_key
            )
            || {{ sql_string(var('run_eval_metric_keys') | join('|')) }}
        ) as label_version
    from {{ ref('int_metric_labels') }} as metric_labels
),

{%- if is_incremental() %}

loaded_records as (
    select distinct
        loaded.run_id,
        loaded.source_file,
        loaded._loaded_at,
        loaded.label_version
    from {{ this }} as loaded
),

changed_runs as (
    select current_runs.run_id
    from {{ ref('stg_wandb__runs') }} as current_runs
    cross join label_version
    left join loaded_records
        on
            current_runs.run_id = loaded_records.run_id
            and current_runs.source_file = loaded_records.source_file
            and current_runs._loaded_at = loaded_records._loaded_at
            and label_version.label_version = loaded_records.label_version
    where loaded_records.run_id is null
),
{%- endif %}

final as (
    select
        eval_metrics.run_id,
        eval_metrics.task,
        eval_metrics.metric,
        eval_metrics.value,
        eval_metrics.metric_label,
        eval_metrics.summary_key,
        eval_metrics.source_file,
        eval_metrics._loaded_at,
        label_version.label_version
    from eval_metrics
    cross join label_version
    {%- if is_incremental() %}
    where eval_metrics.run_id in (select changed_runs.run_id from changed_runs)
    {%- endif %}
)

select * from final
