with task_records as (
    select * from {{ ref('int_evals__task_records') }}
    where is_chosen
),

final as (
    select
        task_records.model_id,
        task_records.model_kind,
        task_records.run_id,
        task_records.checkpoint_id,
        task_records.recipe,
        task_records.recipe_slug as qa_recipe_slug,
        task_records.params,
        task_records.seed_role,
        task_records.seed as qa_folder_seed,
        task_records.step,
        task_records.model_name,
        task_records.task_name,
        task_records.task,
        task_records.task_hash,
        task_records.model_hash,
        task_records.num_instances,
        task_records.primary_metric,
        task_records.primary_score,
        task_records.metrics,
        task_records.task_config,
        task_records.model_config,
        task_records.processing_time,
        task_records.evaluated_on,
        task_records.evaluated_at,
        task_records.n_copies,
        task_records.copy_paths,
        task_records.n_differing_records,
        task_records.source_path,
        task_records.source_file
    from task_records
)

select * from final
