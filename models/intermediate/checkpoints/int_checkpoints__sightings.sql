with seed_roles as (
    select
        seed_role,
        seed_index,
        revision_suffix
    from {{ ref('seed_roles') }}
),

published_checkpoints as (
    select
        data,
        params,
        seed_role,
        step
    from {{ ref('stg_datadecide__eval_results') }}
    where reject_reason is null
    union
    select
        data,
        params,
        seed_role,
        step
    from {{ ref('stg_datadecide__perplexities') }}
),

full_eval as (
    -- full_eval's checkpoints, and those of the published datasets it is made from
    select distinct
        {{ canonical_recipe('data') }} as recipe,
        params,
        seed,
        step
    from {{ ref('stg_pretrain__checkpoints') }}
    union
    select distinct
        {{ canonical_recipe('published_checkpoints.data') }} as recipe,
        published_checkpoints.params,
        seed_roles.seed_index as seed,
        published_checkpoints.step
    from published_checkpoints
    inner join seed_roles on published_checkpoints.seed_role = seed_roles.seed_role
),

qa_checkpoints as (
    select distinct
        recipe,
        params,
        seed_role,
        seed,
        step
    from {{ ref('int_evals__task_records') }}
    where source_name = 'qa'
    union
    select distinct
        recipe,
        params,
        seed_role,
        seed,
        step
    from {{ ref('int_evals__prediction_files') }}
    where source_name = 'qa' and file_status != 'rejected'
),

eval_dump_checkpoints as (
    select
        regexp_extract(
            model_name, '^allenai/DataDecide-(.+)-(\d+[MB])$', ['recipe_slug', 'params']
        ) as name_parts,
        regexp_extract(model_revision, '^step(\d+)-(seed-.+)$', ['step', 'revision_suffix'])
            as revision_parts
    from {{ ref('int_evals__dumps') }}
    where regexp_full_match(coalesce(model_name, ''), '^allenai/DataDecide-.+-\d+[MB]$')
),

run_checkpoints as (
    select
        ckpt_data as recipe,
        ckpt_params as params,
        ckpt_seed_role as seed_role,
        ckpt_seed as source_seed,
        ckpt_step as step,
        count(*) as n_records
    from {{ ref('int_runs__normalized') }}
    where ckpt_data is not null and ckpt_params is not null and ckpt_step is not null
    group by all
),

match_checkpoints as (
    select distinct
        target_recipe as recipe,
        target_params as params,
        target_seed_role as seed_role,
        target_step as step
    from {{ ref('int_checkpoints__matches') }}
    union
    select distinct
        candidate_recipe as recipe,
        candidate_params as params,
        candidate_seed_role as seed_role,
        matched_step as step
    from {{ ref('int_checkpoints__matches') }}
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
        recipe,
        params,
        seed_role,
        seed as source_seed,
        step,
        1 as n_records
    from qa_checkpoints
    where recipe is not null
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

eval_dump_sightings as (
    select
        'eval_dumps' as source_name,
        {{ canonical_recipe("eval_dump_checkpoints.name_parts['recipe_slug']") }} as recipe,
        eval_dump_checkpoints.name_parts['params'] as params,
        seed_roles.seed_role,
        cast(seed_roles.seed_index as bigint) as source_seed,
        try_cast(eval_dump_checkpoints.revision_parts['step'] as bigint) as step,
        count(*) as n_records
    from eval_dump_checkpoints
    left join seed_roles
        on eval_dump_checkpoints.revision_parts['revision_suffix'] = seed_roles.revision_suffix
    where try_cast(eval_dump_checkpoints.revision_parts['step'] as bigint) is not null
    group by all
),

match_sightings as (
    select
        'matches' as source_name,
        recipe,
        params,
        seed_role,
        cast(null as bigint) as source_seed,
        step,
        1 as n_records
    from match_checkpoints
    where recipe is not null and params is not null and step is not null
),

final as (
    select * from full_eval_sightings
    union all
    select * from qa_sightings
    union all
    select * from run_sightings
    union all
    select * from eval_dump_sightings
    union all
    select * from match_sightings
)

select * from final
