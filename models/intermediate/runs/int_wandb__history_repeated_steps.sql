{{ config(materialized='table') }}
{#- The (run_id, step) keys that more than one valid history record logs: the same step in
    several exports (or twice in one). Narrow, and a few rows where exports do not overlap:
    the `history` view ranks only these keys' records and passes every other record
    through, so the history is stored once (in int_wandb__history_records), not twice. -#}

with records as (
    select
        history_records.run_id,
        history_records.step
    from {{ ref('int_wandb__history_records') }} as history_records
    where history_records.reject_reason is null
),

final as (
    select
        run_id,
        step,
        count(*) as n_records
    from records
    group by run_id, step
    having count(*) > 1
)

select * from final
