{#- on-run-start: drop what an existing warehouse holds of an older version of the project,
    which dbt itself leaves in place:
    - the tables and views of models the project no longer has (var('retired_relations'),
      `schema.name`): their data would stay in the file and they could be queried as if
      current;
    - a stored table that still has a column its model no longer builds
      (var('retired_columns'), `schema.name.column`): an incremental model of the old shape
      would fail the build (on_schema_change='fail'), so the table is dropped and the build
      loads it again from scratch, once. Only in a `build` or `run` that builds that model
      (a `dbt test`, `docs generate` or a build of other models would drop it and leave it
      missing): otherwise the log says a build of the model is needed. -#}
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
        {%- for retired in var('retired_columns', []) -%}
            {%- set schema_name, table_name, column_name = retired.split('.') -%}
            {%- set found = run_query(
                "select 1 from information_schema.columns c"
                ~ " join information_schema.tables t using (table_schema, table_name)"
                ~ " where t.table_type = 'BASE TABLE' and c.table_schema = "
                ~ sql_string(schema_name) ~ " and c.table_name = " ~ sql_string(table_name)
                ~ " and c.column_name = " ~ sql_string(column_name)
            ) -%}
            {%- set model_id = 'model.' ~ project_name ~ '.' ~ table_name -%}
            {%- set rebuilds = flags.WHICH in ['build', 'run'] and model_id in selected_resources -%}
            {%- if found.rows | length > 0 and not rebuilds -%}
                {{ log('dr_ingest: ' ~ schema_name ~ '.' ~ table_name ~ ' still has the retired column '
                    ~ column_name ~ ': a `dbt build` (or `dbt run`) that selects ' ~ table_name
                    ~ ' loads it again', info=True) }}
            {%- elif found.rows | length > 0 -%}
                {#- through the adapter, so that dbt's relation cache forgets the table too
                    and the incremental model is built as new -#}
                {%- do adapter.drop_relation(api.Relation.create(
                    database=target.database, schema=schema_name, identifier=table_name,
                    type='table'
                )) -%}
                {{ log('dr_ingest: dropped ' ~ schema_name ~ '.' ~ table_name ~ ', which still had the retired column '
                    ~ column_name ~ '; it is loaded again', info=True) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{%- endmacro %}
