{{ config(severity='warn') }}
-- QA checkpoints and runs' starting checkpoints that full_eval does not measure: no full_eval
-- step of the same recipe/params/seed role within var('full_eval_step_tolerance'), so their
-- full_eval values (matched_finetune, qa_checkpoint_scores) stay null.
with checkpoints as (
    select * from {{ ref('checkpoints') }}
),

full_eval_series as (
    select distinct
        recipe,
        params,
        seed_role
    from checkpoints
    where has_full_eval
)

select
    checkpoints.recipe,
    checkpoints.params,
    checkpoints.seed_role,
    checkpoints.step,
    checkpoints.has_qa,
    checkpoints.n_finetune_runs,
    case
        when full_eval_series.recipe is null then 'full_eval has no rows for this recipe/params/seed role'
        else 'no full_eval step within {{ var("full_eval_step_tolerance") }} steps'
    end as why
from checkpoints
left join full_eval_series
    on
        checkpoints.recipe = full_eval_series.recipe
        and checkpoints.params = full_eval_series.params
        and checkpoints.seed_role = full_eval_series.seed_role
where
    (checkpoints.has_qa or checkpoints.n_finetune_runs > 0)
    and checkpoints.full_eval_step is null
