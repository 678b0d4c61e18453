{#- Whether a query returns any row, asked at build time (a model that shapes its SQL on the
    data, such as run_configs). True outside execution, so that parsing and linting see the
    model's fullest form. -#}
{% macro query_has_rows(sql) %}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = run_query('select exists (' ~ sql ~ ')') -%}
    {{ return(found.columns[0].values()[0]) }}
{% endmacro %}
