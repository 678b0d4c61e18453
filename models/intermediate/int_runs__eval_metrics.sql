{#- Evaluation results found in run summaries, one row per (run_id, summary key): the keys
    matching var('run_eval_metric_keys') — `oe_eval_metrics/<task>/<metric>` (aggregate
    tasks included) and `eval/<set>-validation/Perplexity` — with finite numeric values and
    the canonical metric label (SPEC §7): the key's own, else that of `<base task>_<metric>`
    where the base task is the key's task before its first `:` (oe-eval task names such as
    `core_9mcqa:rc::olmes:full`); null when unresolvable.
    Keys are classified and labelled once per distinct key (a few hundred), then joined to
    the values (millions of rows at 10,000 runs). -#}

with runs as not materialized (
    -- read twice (keys, then values) but never held: materialized, the summaries of 50,000
    -- runs (19 M entries) filled the memory limit
    select
        run_id,
        source_file,
        _loaded_at,
        summary_values
    from {{ ref('stg_wandb__runs') }}
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
    select
        summary_key,
        task,
        metric,
        coalesce(
            {{ canonical_metric_label('summary_key') }},
            {{ canonical_metric_label("split_part(task, ':', 1) || '_' || metric") }}
        ) as metric_label
    from evaluation_keys
),

entries as (
    select
        run_id,
        source_file,
        _loaded_at,
        unnest(map_entries(summary_values)) as entry
    from runs
),

final as (
    select
        entries.run_id,
        labelled_keys.summary_key,
        labelled_keys.task,
        labelled_keys.metric,
        entries.entry.value,
        labelled_keys.metric_label,
        entries.source_file,
        entries._loaded_at
    from entries
    inner join labelled_keys on entries.entry.key = labelled_keys.summary_key
    where isfinite(entries.entry.value)
)

select * from final
