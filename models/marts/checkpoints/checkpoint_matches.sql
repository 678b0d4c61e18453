with matches as (
    select * from {{ ref('int_checkpoints__matches') }}
),

final as (
    select
        {{ checkpoint_id('target_recipe', 'target_params', 'target_seed_role', 'target_step') }}
            as target_checkpoint_id,
        target_recipe,
        target_params,
        target_seed_role,
        target_step,
        perplexity_set,
        metric_label,
        {{ checkpoint_id('candidate_recipe', 'candidate_params', 'candidate_seed_role', 'matched_step') }}
            as candidate_checkpoint_id,
        candidate_recipe,
        candidate_recipe_slug as candidate_match_key,
        candidate_params,
        candidate_seed_role,
        matched_step,
        matched_score,
        score_diff,
        source_file
    from matches
)

select * from final
