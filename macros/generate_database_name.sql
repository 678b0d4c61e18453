{#- On a target whose database is an attached DuckLake (`lake`), only stored tables go to the
    lake. Views, and the loading layer's scratch models (the QA hook's work folder, batch
    list and parsing views), go to the process's own database (the profile's `path`): a view
    over raw files would otherwise be a relation in the lake that reads one machine's disk,
    and concurrent workers would each replace the same scratch tables. On every other target
    this is dbt's default. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- set default = target.database if custom_database_name is none else custom_database_name | trim -%}
    {%- if node is not none and node.resource_type == 'model' and on_lake_target()
        and (node.config.materialized in ('view', 'ephemeral') or 'loading' in node.fqn) -%}
        {{ local_database() }}
    {%- else -%}
        {{ default }}
    {%- endif -%}
{%- endmacro %}

{#- Whether the target database is a DuckLake attachment rather than the profile's own file. -#}
{% macro on_lake_target() -%}
    {{ return(target.database != local_database()) }}
{%- endmacro %}

{#- The database the profile's `path` opens (`memory` for ":memory:"), as DuckDB names it:
    the file name's first dot-separated part. -#}
{% macro local_database() -%}
    {%- set path = target.path -%}
    {%- if path == ':memory:' -%}
        {{ return('memory') }}
    {%- endif -%}
    {{ return(path.split('/')[-1].lstrip('.').split('.')[0]) }}
{%- endmacro %}
