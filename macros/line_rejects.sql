{#- Lines a text reader could not read: bytes that are not UTF-8, a line longer than
    var('max_line_bytes'). The line readers (read_csv over raw lines) skip such a line and
    DuckDB records it in a temporary table of the connection that ran the scan
    (`store_rejects`); the model that runs the scan copies those records into
    audit_store.line_rejects in a post-hook (collect_line_rejects), and ingest_rejects lists
    them. -#}

{#- The temporary tables a line reader's scan records its unreadable lines in (the source's
    `rejects_table` / `rejects_scan`). -#}
{% macro line_rejects_table(reader) %}{{ return('dr_ingest_line_rejects_' ~ reader) }}{% endmacro %}

{% macro line_scans_table(reader) %}{{ return('dr_ingest_line_scans_' ~ reader) }}{% endmacro %}

{#- The store of unreadable lines, in the target database (the lake, on a lake target). -#}
{% macro line_rejects_store() %}{{ return(adapter.quote(target.database) ~ '.audit_store.line_rejects') }}{% endmacro %}

{#- on-run-start: the store of unreadable lines (emptied by --full-refresh, which reads every
    file again). A shard worker on a lake loads only the QA store, so it leaves this to the
    final build: workers starting together on a new lake would otherwise each create it, and
    all but one would fail on the conflict. -#}
{% macro create_line_rejects_store() -%}
    {%- if on_lake_target() and env_var('DR_INGEST_SHARD', '') != '' -%}
    select 1
    {%- else -%}
    create schema if not exists {{ adapter.quote(target.database) }}.audit_store;
    create table if not exists {{ line_rejects_store() }} (
        source_name varchar,
        source_file varchar,
        line_number bigint,
        error_type varchar,
        reason varchar,
        raw_excerpt varchar
    );
    {%- if flags.FULL_REFRESH %}
    delete from {{ line_rejects_store() }};
    {%- endif %}
    {%- if on_lake_target() %}
    create table if not exists {{ adapter.quote(target.database) }}.audit_store.builds (
        invocation_id varchar,
        started_at timestamp,
        finished_at timestamp
    );
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- post-hook of the model that scans a line reader: replace the stored unreadable lines of
    the files this build read with what the scan recorded, forget those of files that are gone
    (`files_relation`: the source's file listing), and drop the temporary tables so that the
    next scan starts empty. A model loaded file by file (`by_file`) read the files whose rows
    carry this build's `_loaded_at`; any other model read every listed file. -#}
{% macro collect_line_rejects(source_name, reader, files_relation, by_file=true) -%}
    {%- set rejects = line_rejects_table(reader) -%}
    {%- set scans = line_scans_table(reader) -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where temporary and table_name = " ~ sql_string(rejects)
    ).columns[0].values()[0] if execute else 0 -%}
    delete from {{ line_rejects_store() }}
    where
        source_name = {{ sql_string(source_name) }}
        and (
            {%- if by_file %}
            source_file in (
                select source_file from {{ this }}
                where _loaded_at = cast('{{ run_started_at }}' as timestamp)
            )
            {%- else %}
            true
            {%- endif %}
            or source_file not in (select source_file from {{ files_relation }})
            {%- if found > 0 %}
            or source_file in (select scans.file_path from {{ scans }} as scans)
            {%- endif %}
        );
    {%- if found > 0 %}
    insert into {{ line_rejects_store() }}
    select distinct
        {{ sql_string(source_name) }} as source_name,
        scans.file_path as source_file,
        errors.line as line_number,
        errors.error_type,
        case errors.error_type
            when 'INVALID ENCODING' then 'line is not UTF-8'
            when 'LINE SIZE OVER MAXIMUM' then 'line of '
                || coalesce(regexp_extract(errors.error_message, 'Actual Size:\s*(\d+)', 1), '?')
                || ' bytes is over max_line_bytes (' || {{ var('max_line_bytes') }} || ')'
            else 'unreadable line: ' || left(errors.error_message, 120)
        end as reason,
        left(errors.csv_line, 200) as raw_excerpt
    from {{ rejects }} as errors
    inner join {{ scans }} as scans on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id;
    drop table {{ rejects }};
    drop table if exists {{ scans }};
    {%- endif %}
{%- endmacro %}
