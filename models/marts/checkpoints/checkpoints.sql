with sightings as (
    select * from {{ ref('int_checkpoints__sightings') }}
),

seed_roles as (
    select
        seed_role,
        seed_index,
        qa_folder_seed,
        revision_suffix
    from {{ ref('seed_roles') }}
),

final_steps as (
    select
        params,
        final_step
    from {{ ref('final_steps') }}
),

recipe_slugs as (
    select
        canonical_recipe,
        hf_slug
    from {{ ref('recipe_slugs') }}
),

known as (
    select
        recipe,
        params,
        seed_role,
        step,
        bool_or(source_name = 'full_eval') as has_full_eval,
        bool_or(source_name = 'qa') as has_qa,
        bool_or(source_name = 'eval_dumps') as has_eval_dump,
        bool_or(source_name = 'matches') as has_match_table,
        coalesce(sum(n_records) filter (where source_name = 'runs'), 0) as n_finetune_runs
    from sightings
    group by recipe, params, seed_role, step
),

full_eval_steps as (
    select
        recipe,
        params,
        seed_role,
        step
    from sightings
    where source_name = 'full_eval'
),

nearest_full_eval as (
    -- ties go to the earlier step
    select
        known.recipe,
        known.params,
        known.seed_role,
        known.step,
        arg_min(
            full_eval_steps.step,
            [abs(full_eval_steps.step - known.step), full_eval_steps.step]
        ) as full_eval_step
    from known
    inner join full_eval_steps
        on
            known.recipe = full_eval_steps.recipe
            and known.params = full_eval_steps.params
            and known.seed_role = full_eval_steps.seed_role
            and abs(full_eval_steps.step - known.step) <= {{ var('full_eval_step_tolerance') }}
    group by known.recipe, known.params, known.seed_role, known.step
),

final as (
    select
        {{ checkpoint_id('known.recipe', 'known.params', 'known.seed_role', 'known.step') }}
            as checkpoint_id,
        known.recipe,
        known.params,
        known.seed_role,
        known.step,
        cast(seed_roles.seed_index as bigint) as run_id_seed_index,
        cast(seed_roles.qa_folder_seed as bigint) as qa_folder_seed,
        cast(seed_roles.seed_index as bigint) as full_eval_seed,
        known.step = final_steps.final_step as is_final_step,
        known.has_full_eval,
        nearest_full_eval.full_eval_step,
        known.step - nearest_full_eval.full_eval_step as full_eval_step_offset,
        known.has_qa,
        known.has_eval_dump,
        known.has_match_table,
        cast(known.n_finetune_runs as bigint) as n_finetune_runs,
        'allenai/DataDecide-' || recipe_slugs.hf_slug || '-' || known.params as hf_model,
        'step' || known.step || '-' || seed_roles.revision_suffix as hf_revision
    from known
    left join nearest_full_eval
        on
            known.recipe = nearest_full_eval.recipe
            and known.params = nearest_full_eval.params
            and known.seed_role = nearest_full_eval.seed_role
            and known.step = nearest_full_eval.step
    left join seed_roles on known.seed_role = seed_roles.seed_role
    left join final_steps on known.params = final_steps.params
    left join recipe_slugs on known.recipe = recipe_slugs.canonical_recipe
)

select * from final
