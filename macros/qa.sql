{#- recipe_slug, params, seed, step and task of an extracted QA file, from its path
    (var('qa_path_regex')); the regexp_extract STRUCT is read by name. -#}
{% macro qa_path_columns(path) -%}
    regexp_extract({{ path }}, {{ sql_string(var('qa_path_regex')) }},
        ['recipe_slug', 'params', 'seed', 'step', 'task']) as path_parts,
    path_parts['recipe_slug'] as recipe_slug,
    path_parts['params'] as params,
    try_cast(path_parts['seed'] as integer) as seed,
    try_cast(path_parts['step'] as bigint) as step,
    path_parts['task'] as task
{%- endmacro %}
