{{ config(materialized='table') }}

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
