{#- A recipe alias -> its canonical display name (seed recipe_aliases); unknown names pass through. -#}
{% macro canonical_recipe(expression) -%}
    coalesce(
        (
            select any_value(recipe_aliases.canonical_recipe)
            from {{ ref('recipe_aliases') }} as recipe_aliases
            where {{ label_key('recipe_aliases.alias') }} = {{ label_key(expression) }}
        ),
        {{ expression }}
    )
{%- endmacro %}
