{{ config(severity='warn') }}
-- Recipes that no row of the recipe_aliases seed knows (they pass through unchanged).
with recipes as (
    select
        run_id,
        ckpt_data_raw as recipe
    from {{ ref('int_runs__normalized') }}
    union all
    select
        run_id,
        comparison_model_recipe_raw as recipe
    from {{ ref('int_runs__normalized') }}
)

select
    recipes.run_id,
    recipes.recipe
from recipes
where
    recipes.recipe is not null
    and not exists (
        select 1
        from {{ ref('recipe_aliases') }} as recipe_aliases
        where {{ label_key('recipe_aliases.alias') }} = {{ label_key('recipes.recipe') }}
    )
