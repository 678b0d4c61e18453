with aliases as (
    select
        alias,
        canonical_recipe,
        alias_origin
    from {{ ref('recipe_aliases') }}
),

slugs as (
    select
        canonical_recipe as recipe,
        hf_slug
    from {{ ref('recipe_slugs') }}
),

seen as (
    select distinct recipe
    from {{ ref('int_checkpoints__sightings') }}
    where recipe is not null
),

known as (
    select
        canonical_recipe as recipe,
        list_sort(list_distinct(list(alias) filter (where alias_origin = 'tarball_slug')))
            as qa_slugs,
        list_sort(list_distinct(list(alias) filter (where alias_origin = 'run_id'))) as run_id_spellings,
        list_sort(list_distinct(list(alias) filter (where alias_origin = 'display')))
            as display_spellings,
        list_sort(list_distinct(list(alias))) as spellings
    from aliases
    group by canonical_recipe
),

all_recipes as (
    select recipe from known
    union
    select recipe from slugs
    union
    select recipe from seen
),

final as (
    select
        all_recipes.recipe,
        slugs.hf_slug,
        'allenai/DataDecide-' || slugs.hf_slug as hf_model_prefix,
        -- the matching tables key candidates and name target folders by the same slug
        slugs.hf_slug as match_table_key,
        coalesce(known.qa_slugs, []) as qa_slugs,
        coalesce(known.run_id_spellings, []) as run_id_spellings,
        coalesce(known.display_spellings, []) as display_spellings,
        list_sort(list_distinct(list_filter(
            coalesce(known.spellings, []) || [all_recipes.recipe, slugs.hf_slug],
            spelling -> spelling is not null
        ))) as spellings,
        known.recipe is not null or slugs.recipe is not null as is_known
    from all_recipes
    left join known on all_recipes.recipe = known.recipe
    left join slugs on all_recipes.recipe = slugs.recipe
)

select * from final
