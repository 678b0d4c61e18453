{{ config(materialized='view') }}
{#- The config document of every run, one row per run_id (the export `runs` was built from).
    A view: the config text (~14 KB a run, 700 MB at 50,000 runs) is stored once, in the
    staged run records, rather than copied into one more table on every build. -#}

with chosen_records as (
    select
        run_id,
        config
    from {{ ref('stg_wandb__runs') }}
),

final as (
    select
        run_id,
        config
    from chosen_records
)

select * from final
