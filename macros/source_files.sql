{#- Select from a file-backed source, or from an empty relation of the source's declared
    columns when no file matches the source's `meta.file_glob`. A data root that has run
    exports but no history (or no pretraining/QA files) therefore builds, and the log says
    which source was empty. -#}
{% macro source_files(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {%- set pattern = meta['file_glob'] -%}
    {%- set found = run_query(
        'select count(*) from glob(' ~ sql_string(pattern) ~ ')'
    ).columns[0].values()[0] -%}
    {%- if found > 0 -%}
        select * from {{ relation }}
    {%- else -%}
        {{ log('dr_ingest: no file matches ' ~ pattern ~ ' -> source '
            ~ source_name ~ '.' ~ table_name ~ ' is empty', info=True) }}
        select
        {%- for column in node.columns.values() %}
            cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
            {{- ',' if not loop.last }}
        {%- endfor %}
        where false
    {%- endif -%}
{% endmacro %}
