with task_records as (
    select * from {{ ref('int_evals__task_records') }}
),

prediction_files as (
    select * from {{ ref('int_evals__prediction_files') }}
    where file_status != 'rejected'
),

dumps as (
    select * from {{ ref('int_evals__dumps') }}
),

runs as (
    select
        run_id,
        run_type,
        start_checkpoint_id
    from {{ ref('runs') }}
),

evaluations as (
    select
        model_id,
        model_kind,
        run_id,
        checkpoint_id,
        recipe,
        recipe_slug,
        params,
        seed_role,
        seed,
        step,
        model_name,
        model_path,
        model_hash,
        task_name,
        is_chosen as is_used,
        false as is_predictions,
        source_path
    from task_records
    union all
    select
        model_id,
        model_kind,
        run_id,
        checkpoint_id,
        recipe,
        recipe_slug,
        params,
        seed_role,
        seed,
        step,
        cast(null as varchar) as model_name,
        cast(null as varchar) as model_path,
        cast(null as varchar) as model_hash,
        task_name,
        file_status = 'used' as is_used,
        true as is_predictions,
        source_path
    from prediction_files
),

models as (
    select
        model_id,
        any_value(model_kind) as model_kind,
        any_value(run_id) as run_id,
        any_value(checkpoint_id) as checkpoint_id,
        any_value(recipe) as recipe,
        any_value(recipe_slug) as recipe_slug,
        any_value(params) as params,
        any_value(seed_role) as seed_role,
        any_value(seed) as seed,
        any_value(step) as step,
        min(model_name) as model_name,
        min(model_path) as model_path,
        list_sort(list_distinct(list(model_hash))) as model_hashes,
        count(distinct task_name) filter (where is_used and not is_predictions) as n_task_evals,
        count(distinct task_name) filter (where is_used and is_predictions) as n_tasks_with_predictions,
        list_sort(list_distinct(list(source_path))) as source_paths
    from evaluations
    group by model_id
),

dump_matches as (
    select
        model_id,
        min(run_id_matched_on) as run_id_matched_on,
        cast(sum(n_files_skipped) as bigint) as n_files_skipped
    from dumps
    group by model_id
),

final as (
    select
        models.model_id,
        models.model_kind,
        models.run_id,
        dump_matches.run_id_matched_on,
        runs.run_type,
        runs.start_checkpoint_id,
        models.checkpoint_id,
        models.recipe,
        models.recipe_slug as qa_recipe_slug,
        models.params,
        models.seed_role,
        models.seed as qa_folder_seed,
        models.step,
        models.model_name,
        models.model_path,
        models.model_hashes,
        models.n_task_evals,
        models.n_tasks_with_predictions,
        len(models.source_paths) as n_sources,
        models.source_paths,
        coalesce(dump_matches.n_files_skipped, 0) as n_files_skipped
    from models
    left join dump_matches on models.model_id = dump_matches.model_id
    left join runs on models.run_id = runs.run_id
)

select * from final
