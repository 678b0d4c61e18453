{#- Matching key for names and labels: lower case, with '-', '_', ' ' and '/' treated alike. -#}
{% macro label_key(expression) -%}
    regexp_replace(lower(trim({{ expression }})), '[-_ /]', '_', 'g')
{%- endmacro %}
