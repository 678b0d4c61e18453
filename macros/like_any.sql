{#- True when the expression matches any of the LIKE patterns. -#}
{% macro like_any(expression, patterns) -%}
    (
    {%- for pattern in patterns %}
        {{ expression }} like {{ sql_string(pattern) }}{{ ' or' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
