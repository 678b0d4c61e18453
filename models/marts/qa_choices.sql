{#- One row per answer choice of a question: (recipe, params, seed, step, task, doc_id,
    choice_index), choice_index 0-based like the predicted_index_* columns. Note
    logits_per_byte is positive bits per byte (lower is better) while the other per-unit
    scores are negative log-likelihoods. -#}

with predictions as (
    select
        recipe_slug,
        params,
        seed,
        step,
        task,
        doc_id,
        metrics.correct_choice as correct_choice,
        model_output
    from {{ ref('stg_qa__prediction_records') }}
    where reject_reason is null
),

choices as (
    select
        recipe_slug,
        params,
        seed,
        step,
        task,
        doc_id,
        correct_choice,
        unnest(model_output) as choice,
        generate_subscripts(model_output, 1) - 1 as choice_index
    from predictions
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
        choice_index,
        choice_index = correct_choice as is_correct,
        choice.sum_logits,
        choice.num_tokens,
        choice.num_tokens_all,
        choice.is_greedy,
        choice.logits_per_token,
        choice.logits_per_char,
        choice.num_chars,
        choice.sum_logits_uncond,
        choice.logits_per_byte
    from choices
)

select * from final
