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
                    and {{ run_record_key('current_runs') }} = run_eval_metrics.record_key
            )
        ",
    )
}}
{#- Evaluation scores logged in run summaries, long form: one row per (run_id, task, metric)
    for the summary keys matching var('run_eval_metric_keys') — `oe_eval_metrics/<task>/<metric>`
    (aggregate tasks included) and `eval/<set>-validation/Perplexity` — with finite numeric
    values and the canonical metric label (SPEC §7): the key's own, else that of
    `<base task>_<metric>` where the base task is the key's task before its first `:`
    (oe-eval task names such as `core_9mcqa:rc::olmes:full`); null when unresolvable, listed
    by a warning test. Keys are classified and labelled once per distinct key (a few hundred),
    then joined to the values (millions of rows at 10,000 runs).
    Incremental: a build reads only the summaries of the runs whose chosen export record is
    new (another file, or its file reloaded: record_key), and of every run when the label
    dictionary or var('run_eval_metric_keys') changed (label_version); the runs are chosen
    before their summaries are unnested (unnesting every run's summary first cost 2.4 s of a
    10,000-run build that changed no run). Rows of records no longer chosen, or of runs gone,
    are removed (post-hook). `dbt build --full-refresh` rebuilds it whole.
    The record is kept as one number per row, not as its file name and load time (the export
    file is `runs.source_file`): those two columns and a text label version were 0.8 s of a
    3.2 s table at 10,000 runs (2.9 M rows). -#}

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
    where {{ like_any('summary_key', var('run_eval_metric_keys')) }}
),

labelled_keys as (
    -- the label version joins the few hundred keys here, not the millions of values (a
    -- cross join with every value row cost 0.65 s of 3.7 s at 10,000 runs)
    select
        evaluation_keys.summary_key,
        evaluation_keys.task,
        evaluation_keys.metric,
        coalesce(
            {{ canonical_metric_label('evaluation_keys.summary_key') }},
            {{ canonical_metric_label(
                "split_part(evaluation_keys.task, ':', 1) || '_' || evaluation_keys.metric"
            ) }}
        ) as metric_label,
        label_version.label_version
    from evaluation_keys
    cross join label_version
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
        labelled_keys.task,
        labelled_keys.metric,
        entries.entry.value,
        labelled_keys.metric_label,
        labelled_keys.summary_key,
        entries.record_key,
        labelled_keys.label_version
    from entries
    inner join labelled_keys on entries.entry.key = labelled_keys.summary_key
    where isfinite(entries.entry.value)
)

select * from final
