{{ config(materialized=view_unless_lake()) }}

with predictions as (
    select * from {{ ref('int_evals__predictions') }}
),

final as (
    select
        predictions.model_id,
        predictions.model_kind,
        predictions.run_id,
        predictions.checkpoint_id,
        predictions.recipe,
        predictions.recipe_slug as qa_recipe_slug,
        predictions.params,
        predictions.seed_role,
        predictions.seed as qa_folder_seed,
        predictions.step,
        predictions.task_name,
        predictions.task,
        predictions.doc_id,
        predictions.native_id,
        predictions.native_id_kind,
        predictions.label,
        predictions.task_hash,
        predictions.model_hash,
        predictions.metrics.predicted_index_raw,
        predictions.metrics.predicted_index_per_token,
        predictions.metrics.predicted_index_per_char,
        predictions.metrics.predicted_index_per_byte,
        predictions.metrics.predicted_index_uncond,
        predictions.metrics.correct_choice,
        predictions.metrics.acc_raw,
        predictions.metrics.acc_per_token,
        predictions.metrics.acc_per_char,
        predictions.metrics.acc_per_byte,
        predictions.metrics.acc_uncond,
        predictions.metrics.no_answer,
        predictions.metrics.sum_logits_corr,
        predictions.metrics.logits_per_token_corr,
        predictions.metrics.logits_per_char_corr,
        predictions.metrics.bits_per_byte_corr,
        predictions.n_choices,
        predictions.source_path,
        predictions.source_file
    from predictions
)

select * from final
