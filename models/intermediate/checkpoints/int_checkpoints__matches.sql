with match_tables as (
    select * from {{ ref('stg_matches__match_tables') }}
    where reject_reason is null
),

by_recipe as (
    select
        source_file,
        target_recipe_slug,
        target_params,
        target_seed_role,
        target_step,
        perplexity_set,
        unnest(map_entries(matches)) as recipe_entry
    from match_tables
),

by_params as (
    select
        source_file,
        target_recipe_slug,
        target_params,
        target_seed_role,
        target_step,
        perplexity_set,
        recipe_entry['key'] as candidate_recipe_slug,
        unnest(map_entries(recipe_entry['value'])) as params_entry
    from by_recipe
),

by_seed_role as (
    select
        source_file,
        target_recipe_slug,
        target_params,
        target_seed_role,
        target_step,
        perplexity_set,
        candidate_recipe_slug,
        params_entry['key'] as candidate_params,
        unnest(map_entries(params_entry['value'])) as role_entry
    from by_params
),

final as (
    select
        {{ canonical_recipe('target_recipe_slug') }} as target_recipe,
        target_params,
        target_seed_role,
        target_step,
        perplexity_set,
        perplexity_set || '-valppl' as metric_label,
        {{ canonical_recipe('candidate_recipe_slug') }} as candidate_recipe,
        candidate_recipe_slug,
        candidate_params,
        role_entry['key'] as candidate_seed_role,
        cast(role_entry['value']['matched_step'] as bigint) as matched_step,
        role_entry['value']['matched_score'] as matched_score,
        role_entry['value']['score_diff'] as score_diff,
        source_file
    from by_seed_role
)

select * from final
