{#- on-run-start: drop the tables and views of models the project no longer has
    (var('retired_relations'), `schema.name`), which dbt itself leaves in an existing
    warehouse: their data would stay in the file and they could be queried as if current. -#}
{% macro drop_retired_relations() -%}
    {%- if execute -%}
        {%- for relation in var('retired_relations', []) -%}
            {%- set schema_name, table_name = relation.split('.') -%}
            {%- set found = run_query(
                "select table_type from information_schema.tables where table_schema = "
                ~ sql_string(schema_name) ~ " and table_name = " ~ sql_string(table_name)
            ) -%}
            {%- for row in found.rows %}
    drop {{ 'view' if row[0] == 'VIEW' else 'table' }} if exists {{ relation }};
            {%- endfor -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{%- endmacro %}
