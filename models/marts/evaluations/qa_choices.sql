{{ config(materialized=view_unless_lake()) }}

with predictions as (
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
        predictions.metrics.correct_choice,
        predictions.model_output
    from {{ ref('int_evals__predictions') }} as predictions
),

choices as (
    select
        model_id,
        model_kind,
        run_id,
        checkpoint_id,
        recipe,
        qa_recipe_slug,
        params,
        seed_role,
        qa_folder_seed,
        step,
        task_name,
        task,
        doc_id,
        correct_choice,
        unnest(model_output) as choice,
        generate_subscripts(model_output, 1) - 1 as choice_index
    from predictions
),

final as (
    select
        choices.model_id,
        choices.model_kind,
        choices.run_id,
        choices.checkpoint_id,
        choices.recipe,
        choices.qa_recipe_slug,
        choices.params,
        choices.seed_role,
        choices.qa_folder_seed,
        choices.step,
        choices.task_name,
        choices.task,
        choices.doc_id,
        choices.choice_index,
        choices.choice_index = choices.correct_choice as is_correct,
        choices.choice.sum_logits,
        choices.choice.num_tokens,
        choices.choice.num_tokens_all,
        choices.choice.is_greedy,
        choices.choice.logits_per_token,
        choices.choice.logits_per_char,
        choices.choice.num_chars,
        choices.choice.sum_logits_uncond,
        choices.choice.logits_per_byte
    from choices
)

select * from final
