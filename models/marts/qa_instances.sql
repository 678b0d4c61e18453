{#- One row per question of a checkpoint's evaluation: (recipe, params, seed, step, task,
    doc_id), with the per-question metrics typed. -#}

with predictions as (
    select * from {{ ref('stg_qa__prediction_records') }}
    where reject_reason is null
),

final as (
    select
        {{ canonical_recipe('recipe_slug') }} as recipe,
        recipe_slug,
        params,
        seed,
        step,
        task,
        doc_id,
        native_id,
        native_id_kind,
        label,
        task_hash,
        model_hash,
        metrics.predicted_index_raw,
        metrics.predicted_index_per_token,
        metrics.predicted_index_per_char,
        metrics.predicted_index_per_byte,
        metrics.predicted_index_uncond,
        metrics.correct_choice,
        metrics.acc_raw,
        metrics.acc_per_token,
        metrics.acc_per_char,
        metrics.acc_per_byte,
        metrics.acc_uncond,
        metrics.no_answer,
        metrics.sum_logits_corr,
        metrics.logits_per_token_corr,
        metrics.logits_per_char_corr,
        metrics.bits_per_byte_corr,
        len(model_output) as n_choices,
        source_file
    from predictions
)

select * from final
