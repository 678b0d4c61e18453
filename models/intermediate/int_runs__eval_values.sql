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
                    current_runs.run_id = int_runs__eval_values.run_id
                    and {{ run_record_key('current_runs') }} = int_runs__eval_values.record_key
            )
        ",
    )
}}
{#- The evaluation values of run summaries, one row per (run_id, summary key) for the keys
    matching var('run_eval_metric_keys') — `oe_eval_metrics/<task>/<metric>` (aggregate tasks
    included) and `eval/<set>-validation/Perplexity` — with finite numeric values. The mart
    `run_eval_metrics` is a view joining these rows to their key's task, metric and label
    (int_runs__eval_keys): the three texts per key are stored once per key, not once per
    value (writing them for 2.9 M values was ~2 s of the 10,000-run build).
    Incremental: a build reads only the summaries of the runs whose chosen export record is
    new (another file, or its file reloaded: record_key), and of every run when the label
    dictionary or var('run_eval_metric_keys') changed (label_version); the runs are chosen
    before their summaries are unnested (unnesting every run's summary first cost 2.4 s of a
    10,000-run build that changed no run). Rows of records no longer chosen, or of runs gone,
    are removed (post-hook). `dbt build --full-refresh` rebuilds it whole.
    The record is kept as one number per row, not as its file name and load time (the export
    file is `runs.source_file`). -#}

with label_version as (
    select
        md5_number_lower(
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
        loaded.record_key,
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
            and {{ run_record_key('current_runs') }} = loaded_records.record_key
            and label_version.label_version = loaded_records.label_version
    where loaded_records.run_id is null
),
{%- endif %}

runs as not materialized (
    -- read twice (keys, then values) but never held: materialized, the summaries of 50,000
    -- runs (19 M entries) filled the memory limit
    select
        all_runs.run_id,
        {{ run_record_key('all_runs') }} as record_key,
        all_runs.summary_values
    from {{ ref('stg_wandb__runs') }} as all_runs
    {%- if is_incremental() %}
    where all_runs.run_id in (select changed_runs.run_id from changed_runs)
    {%- endif %}
),

summary_keys as (
    select distinct unnest(map_keys(summary_values)) as summary_key
    from runs
),

evaluation_keys as (
    -- the label version joins the few hundred keys here, not the millions of values
    select
        summary_keys.summary_key,
        label_version.label_version
    from summary_keys
    cross join label_version
    where {{ like_any('summary_keys.summary_key', var('run_eval_metric_keys')) }}
),

entries as (
    select
        run_id,
        record_key,
        unnest(map_entries(summary_values)) as entry
    from runs
),

final as (
    select
        entries.run_id,
        evaluation_keys.summary_key,
        entries.entry.value,
        entries.record_key,
        evaluation_keys.label_version
    from entries
    inner join evaluation_keys on entries.entry.key = evaluation_keys.summary_key
    where isfinite(entries.entry.value)
)

select * from final
