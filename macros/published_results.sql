{#- A metrics text of DataDecide's published eval-results as JSON: the train split writes a
    Python dict literal (`str(dict)`: single quotes, nan, inf, None, True), macro_avg writes
    JSON (where Python's json writes NaN and Infinity). Keys are plain metric names, so quotes
    are swapped whole; a value that is not a finite number becomes null. -#}
{% macro python_literal_as_json(expression) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                replace({{ expression }}, '''', '"'),
                '-?\b(nan|NaN|inf|Infinity|None)\b', 'null', 'g'
            ),
            '\bTrue\b', 'true', 'g'
        ),
        '\bFalse\b', 'false', 'g'
    )
{%- endmacro %}

{#- Read the Parquet shards of a datadecide source whose columns include `column` (the
    dataset a shard belongs to is told by its columns), or an empty select of the source's
    declared columns when none has it. -#}
{% macro datadecide_shards_with(table_name, column) -%}
    {%- set relation = source('datadecide', table_name) -%}
    {#- outside execution, and in a dbt unit test (the source is a fixture, not a reader) -#}
    {%- if not execute or not relation.external -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set shapes = source_parquet_columns('datadecide', table_name) -%}
    {%- set files = [] -%}
    {%- for file, columns in shapes.items() if column in columns -%}
        {%- do files.append(file) -%}
    {%- endfor -%}
    {%- if files | length > 0 -%}
        select * from {{ source_reader('datadecide', table_name, sql_path_list(files)) }}
    {%- else -%}
        {%- set node = graph.sources['source.' ~ project_name ~ '.datadecide.' ~ table_name] -%}
        select
        {%- for column_def in node.columns.values() %}
            cast(null as {{ column_def.data_type }}) as {{ adapter.quote(column_def.name) }}
            {{- ',' if not loop.last }}
        {%- endfor %}
        where false
    {%- endif -%}
{%- endmacro %}
