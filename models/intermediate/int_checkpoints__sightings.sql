{#- Every pretrained checkpoint each source names, in one vocabulary: (recipe canonical,
    params, seed role, step). full_eval numbers seeds by role index, QA folders by their own
    codes (`seed-15` = small aux 3), run IDs by role index (runs.ckpt_seed_role); all three map
    through the seed seed_roles. source_seed is the seed as the source writes it (a seed no
    role knows keeps a null seed_role and is listed by a data-quality test). -#}

with seed_roles as (
    select
        seed_role,
        seed_index,
        qa_folder_seed
    from {{ ref('seed_roles') }}
),

full_eval as (
    select
        data as recipe,
        params,
        seed,
        step
    from {{ ref('pretrain_checkpoints') }}
),

qa_checkpoints as (
    select distinct
        recipe,
        params,
        seed,
        step
    from {{ ref('qa_task_evals') }}
    union
    select distinct
        recipe,
        params,
        seed,
        step
    from {{ ref('qa_instances') }}
),

run_checkpoints as (
    select
        ckpt_data as recipe,
        ckpt_params as params,
        ckpt_seed_role as seed_role,
        ckpt_seed as source_seed,
        ckpt_step as step,
        count(*) as n_records
    from {{ ref('runs') }}
    where ckpt_data is not null and ckpt_params is not null and ckpt_step is not null
    group by all
),

full_eval_sightings as (
    select
        'full_eval' as source_name,
        full_eval.recipe,
        full_eval.params,
        seed_roles.seed_role,
        full_eval.seed as source_seed,
        full_eval.step,
        1 as n_records
    from full_eval
    left join seed_roles on full_eval.seed = seed_roles.seed_index
),

qa_sightings as (
    select
        'qa' as source_name,
        qa_checkpoints.recipe,
        qa_checkpoints.params,
        seed_roles.seed_role,
        qa_checkpoints.seed as source_seed,
        qa_checkpoints.step,
        1 as n_records
    from qa_checkpoints
    left join seed_roles on qa_checkpoints.seed = seed_roles.qa_folder_seed
    where qa_checkpoints.recipe is not null
),

run_sightings as (
    select
        'runs' as source_name,
        recipe,
        params,
        seed_role,
        source_seed,
        step,
        n_records
    from run_checkpoints
),

final as (
    select * from full_eval_sightings
    union all
    select * from qa_sightings
    union all
    select * from run_sightings
)

select * from final
