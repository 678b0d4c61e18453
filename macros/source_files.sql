{#- File-backed sources. Each source table declares `meta.file_glob`; its
    `external_location` reads the files matching it. The models read a source through
    source_files(), which lists the matching files itself (following symlinked files and
    folders, which DuckDB's recursive glob skips) and hands that list to the reader in place
    of the glob. -#}

{#- The source's file glob as written in its meta (what its external_location reads). -#}
{% macro source_declared_glob(source_name, table_name) %}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {{ return(meta['file_glob']) }}
{% endmacro %}

{#- The source's file glob, resolved to an absolute path (resolved_path). -#}
{% macro source_file_glob(source_name, table_name) %}
    {{ return(resolved_path(source_declared_glob(source_name, table_name))) }}
{% endmacro %}

{#- The source's reader (its external_location) reading `location` (a SQL expression: a
    quoted glob or a list of paths) in place of the glob declared in its meta. -#}
{% macro source_reader(source_name, table_name, location) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- set declared = sql_string(source_declared_glob(source_name, table_name)) -%}
    {%- set reader = relation.render() -%}
    {%- if declared not in reader -%}
        {{ exceptions.raise_compiler_error(
            'source ' ~ source_name ~ '.' ~ table_name ~ ': external_location must read '
            ~ "'${file_glob}' (quoted), got: " ~ reader
        ) }}
    {%- endif -%}
    {{ return(reader | replace(declared, location)) }}
{% endmacro %}

{#- Select from a file-backed source whose files change while the build runs (the QA
    hook's batch folder): its reader over the resolved glob, matched when read. -#}
{% macro source_glob(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or not relation.external -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    select * from {{ source_reader(source_name, table_name, sql_string(source_file_glob(source_name, table_name))) }}
{% endmacro %}

{#- The files matching the source's glob, symlinked files and folders followed (each real
    folder and file once; see python_hooks/data_files.py), sorted; [] outside execution.
    DuckDB's own recursive glob skips symlinks, so sources read this list instead. -#}
{% macro source_file_list(source_name, table_name) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(data_file_list(source_file_glob(source_name, table_name))) }}
{% endmacro %}

{#- The files matching a DuckDB-style glob, symlinks followed (the `dr_ingest_files`
    function of the project's dbt-duckdb plugin, python_hooks/dbt_plugin.py). -#}
{% macro data_file_list(glob) %}
    {%- set rows = run_query('select unnest(dr_ingest_files(' ~ sql_string(glob) ~ '))') -%}
    {{ return(rows.columns[0].values() | list) }}
{% endmacro %}

{#- A SQL list literal of paths: ['a', 'b']. -#}
{% macro sql_path_list(paths) -%}
    [{% for path in paths %}{{ sql_string(path) }}{{ ', ' if not loop.last }}{% endfor %}]
{%- endmacro %}

{#- Number of files matching the source's glob, symlinks followed (0 outside execution). -#}
{% macro source_file_count(source_name, table_name) %}
    {{ return(source_file_list(source_name, table_name) | length) }}
{% endmacro %}

{#- Select from a file-backed source, or from an empty relation of the source's declared
    columns when no file matches its glob. A data root that has run exports but no history
    (or no pretraining/QA files) therefore builds, and the log says which source was empty. -#}
{% macro source_files(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {#- outside execution, and in a dbt unit test (the source is a fixture, not a reader) -#}
    {%- if not execute or not relation.external -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set files = source_file_list(source_name, table_name) -%}
    {%- if files | length > 0 -%}
        {#- the source's reader (external_location) over the listed files, not its glob -#}
        select * from {{ source_reader(source_name, table_name, sql_path_list(files)) }}
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
    {%- set files = source_file_list(source_name, table_name) -%}
    {%- if files | length > 0 -%}
        {%- set rows = run_query(
            "select file_name, string_agg(distinct split_part(path_in_schema, ', ', 1), '|' order by split_part(path_in_schema, ', ', 1)) from parquet_metadata("
            ~ sql_path_list(files) ~ ") group by file_name order by file_name"
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
