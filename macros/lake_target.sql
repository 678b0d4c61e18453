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

{#- The database the profile's `path` opens, named as DuckDB (and dbt-duckdb) name it: `memory`
    for ":memory:", the database after `md:` for MotherDuck (`my_db` when none is named), else
    the file name's first dot-separated part. -#}
{% macro local_database() -%}
    {%- set path = target.path -%}
    {%- if path == ':memory:' -%}
        {{ return('memory') }}
    {%- endif -%}
    {%- if path.startswith('md:') or path.startswith('motherduck:') -%}
        {%- set name = path.split(':', 1)[1].split('?')[0] -%}
        {{ return(name if name else 'my_db') }}
    {%- endif -%}
    {{ return(path.split('/')[-1].lstrip('.').split('.')[0]) }}
{%- endmacro %}

{#- A mart kept as a view on a local warehouse (its rows are cheap to derive, or it reads the
    raw export files) is a table on a lake: a view there would read relations that live in one
    process's own database, or files on one machine's disk. -#}
{% macro view_unless_lake() -%}
    {{ return('table' if on_lake_target() else 'view') }}
{%- endmacro %}

{#- on-run-end: on a lake, a build that is not a shard worker records when it ran
    (audit_store.builds), so that the lake can be read as it was before it (time travel by
    snapshot time). -#}
{% macro record_lake_build() -%}
    {%- if execute and on_lake_target() and flags.WHICH in ['build', 'run'] and env_var('DR_INGEST_SHARD', '') == '' -%}
    insert into {{ adapter.quote(target.database) }}.audit_store.builds
    values ('{{ invocation_id }}', cast('{{ run_started_at }}' as timestamp), cast(now() at time zone 'UTC' as timestamp))
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
