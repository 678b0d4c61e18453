{#- File-backed sources. Each source table declares `meta.file_glob`; its
    `external_location` reads the files matching it. -#}

{#- The source's file glob (from its meta). -#}
{% macro source_file_glob(source_name, table_name) %}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {{ return(meta['file_glob']) }}
{% endmacro %}

{#- Number of files matching the source's glob (0 outside execution). -#}
{% macro source_file_count(source_name, table_name) %}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set found = run_query(
        'select count(*) from glob(' ~ sql_string(source_file_glob(source_name, table_name)) ~ ')'
    ).columns[0].values()[0] -%}
    {{ return(found) }}
{% endmacro %}

{#- Select from a file-backed source, or from an empty relation of the source's declared
    columns when no file matches its glob. A data root that has run exports but no history
    (or no pretraining/QA files) therefore builds, and the log says which source was empty. -#}
{% macro source_files(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- if source_file_count(source_name, table_name) > 0 -%}
        select * from {{ relation }}
    {%- else -%}
        {{ log('dr_ingest: no file matches ' ~ source_file_glob(source_name, table_name)
            ~ ' -> source ' ~ source_name ~ '.' ~ table_name ~ ' is empty', info=True) }}
        {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] %}
        select
        {%- for column in node.columns.values() %}
            cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
            {{- ',' if not loop.last }}
        {%- endfor %}
        where false
    {%- endif -%}
{% endmacro %}

{#- Parquet files of a source grouped by shape: {file path: [top-level column names]}
    (read from the files' metadata, not their data). -#}
{% macro source_parquet_columns(source_name, table_name) %}
    {%- set shapes = {} -%}
    {%- if execute and source_file_count(source_name, table_name) > 0 -%}
        {%- set rows = run_query(
            "select file_name, string_agg(distinct split_part(path_in_schema, ', ', 1), '|' order by split_part(path_in_schema, ', ', 1)) from parquet_metadata("
            ~ sql_string(source_file_glob(source_name, table_name)) ~ ") group by file_name order by file_name"
        ) -%}
        {%- for row in rows -%}
            {%- do shapes.update({row[0]: row[1].split('|')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(shapes) }}
{% endmacro %}

{#- The columns of a file listing (a source read with `read_blob`/`read_text`-style metadata:
    filename, size, last_modified): source_file, file_size, file_modified_at (UTC). -#}
{% macro file_listing_columns() -%}
    filename as source_file,
    size as file_size,
    cast(last_modified at time zone 'UTC' as timestamp) as file_modified_at
{%- endmacro %}
