{#- Marts go to the database's default schema (`select * from runs` works in the CLI);
    a folder with a custom schema (staging, intermediate, seeds) gets exactly that name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
