{#- Evaluation results found in run summaries, one row per (run_id, summary key): the keys
    matching var('run_eval_metric_keys') — `oe_eval_metrics/<task>/<metric>` (aggregate
    tasks included) and `eval/<set>-validation/Perplexity` — with finite numeric values. -#}

with runs as (
    select
        run_id,
        summary_values
    from {{ ref('stg_wandb__runs') }}
),

entries as (
    select
        run_id,
        unnest(map_entries(summary_values)) as entry
    from runs
),

evaluation_entries as (
    select
        entries.run_id,
        entries.entry
    from entries
    where {{ like_any('entries.entry.key', var('run_eval_metric_keys')) }}
),

final as (
    select
        entries.run_id,
        entries.entry.key as summary_key,
        case
            when starts_with(entries.entry.key, 'eval/')
                then regexp_extract(entries.entry.key, '^eval/(.+)-validation/Perplexity$', 1)
            else split_part(entries.entry.key, '/', 2)
        end as task,
        case
            when starts_with(entries.entry.key, 'eval/') then 'valppl'
            else split_part(entries.entry.key, '/', 3)
        end as metric,
        entries.entry.value
    from evaluation_entries as entries
)

select * from final
