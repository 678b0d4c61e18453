with prediction_files as (
    select * from {{ ref('int_evals__prediction_files') }}
    where file_status = 'used'
),

checkpoint_predictions as (
    select
        source_file,
        doc_id,
        native_id,
        native_id_kind,
        label,
        task_hash,
        model_hash,
        metrics,
        model_output,
        n_choices
    from {{ ref('stg_qa__prediction_records') }}
    where reject_reason is null
),

dump_predictions as (
    select
        source_file,
        doc_id,
        native_id,
        native_id_kind,
        label,
        task_hash,
        model_hash,
        metrics,
        model_output,
        n_choices
    from {{ ref('stg_evals__prediction_records') }}
    where reject_reason is null
),

predictions as (
    select * from checkpoint_predictions
    union all
    select * from dump_predictions
),

final as (
    select
        prediction_files.model_id,
        prediction_files.model_kind,
        prediction_files.run_id,
        prediction_files.checkpoint_id,
        prediction_files.recipe,
        prediction_files.recipe_slug,
        prediction_files.params,
        prediction_files.seed_role,
        prediction_files.seed,
        prediction_files.step,
        prediction_files.task_name,
        prediction_files.task,
        predictions.doc_id,
        predictions.native_id,
        predictions.native_id_kind,
        predictions.label,
        predictions.task_hash,
        predictions.model_hash,
        predictions.metrics,
        predictions.model_output,
        predictions.n_choices,
        prediction_files.source_path,
        predictions.source_file
    from predictions
    inner join prediction_files on predictions.source_file = prediction_files.source_file
)

select * from final
