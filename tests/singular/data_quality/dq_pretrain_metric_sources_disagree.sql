{{ config(severity='warn') }}
{#- Pretraining metrics whose value differs between full_eval and DataDecide's published
    datasets (by more than a relative 1e-9): pretrain_metrics keeps the published value. -#}
with metrics as (
    select * from {{ ref('int_pretrain__metrics') }}
),

compared as (
    select
        recipe,
        params,
        seed_role,
        step,
        full_eval_column,
        any_value(value) filter (where source_name = 'full_eval') as full_eval_value,
        any_value(value) filter (where source_name != 'full_eval') as published_value
    from metrics
    group by recipe, params, seed_role, step, full_eval_column
)

select *
from compared
where abs(full_eval_value - published_value) > 1e-9 * greatest(1, abs(published_value))
