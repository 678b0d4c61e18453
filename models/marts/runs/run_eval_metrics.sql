{{ config(materialized=view_unless_lake()) }}
{#- A view, not a table: the values stay in the summary maps stored once; a table of them was
    2.9 M rows and ~2-3 s of a 10,000-run build, reading them through the view takes ~0.2 s at
    10,000 runs. -#}

with chosen_runs as (
    select
        run_id,
        summary_values
    from {{ ref('stg_wandb__runs') }}
),

entries as (
    select
        chosen_runs.run_id,
        unnest(map_entries(chosen_runs.summary_values)) as entry
    from chosen_runs
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
        entries.run_id,
        eval_keys.task,
        eval_keys.metric,
        entries.entry.value,
        eval_keys.metric_label,
        eval_keys.summary_key
    from entries
    inner join eval_keys on entries.entry.key = eval_keys.summary_key
    where isfinite(entries.entry.value)
)

select * from final
