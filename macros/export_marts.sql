{#
    dbt run-operation export_marts --args '{path: DIR}'

    Writes every mart (every model under models/marts/, from dbt's graph) as zstd Parquet
    under DIR/<mart>/: hive-partitioned marts as DIR/<mart>/<col>=<value>/.../data_0.parquet,
    the others as DIR/<mart>/data_0.parquet, so `read_parquet('DIR/<mart>/**/*.parquet',
    hive_partitioning = true)` reads any of them. Everything is written to the sibling
    DIR.tmp-<invocation_id> first and swapped into place only when every mart is written; on
    an error the temporary folder is removed and the run-operation fails, leaving the previous
    export as it was. The folder functions are the plugin's (python_hooks/export_folders.py).
#}

{% macro export_marts(path, partition_by=none) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if path is none or (path | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error("export_marts: give the export folder, --args '{path: DIR}'") }}
    {%- endif -%}
    {%- set final = path | string | trim -%}
    {%- set overrides = partition_by or {} -%}
    {%- set started = modules.datetime.datetime.now() -%}

    {#- the marts and how each is partitioned; all checked before anything is written -#}
    {%- set marts = [] -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and node.original_file_path.replace('\\', '/').startswith('models/marts/') -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is none -%}
                {%- do missing.append(node.name) -%}
            {%- else -%}
                {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
                {%- set partition_columns = export_partition_columns(node, overrides) -%}
                {%- for column in partition_columns if column not in columns -%}
                    {{ exceptions.raise_compiler_error(
                        "export_marts: " ~ node.name ~ " has no column " ~ column ~ " to partition by") }}
                {%- endfor -%}
                {%- do marts.append({'name': node.name, 'relation': relation,
                    'partition_by': partition_columns}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in overrides if name not in marts | map(attribute='name') | list -%}
        {{ exceptions.raise_compiler_error("export_marts: partition_by names " ~ name ~ ", which is not a mart") }}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "export_marts: not in the warehouse (run dbt build first): " ~ missing | join(', ')) }}
    {%- endif -%}
    {%- if not marts -%}
        {{ exceptions.raise_compiler_error("export_marts: no model under models/marts/") }}
    {%- endif -%}

    {%- set tmp = export_scalar(
        "select dr_ingest_export_begin(" ~ sql_string(final) ~ ", "
        ~ sql_string(invocation_id | replace('-', '')) ~ ")") -%}
    {{ log("export_marts: writing " ~ marts | length ~ " marts to " ~ tmp, info=true) }}

    {%- set total_rows = namespace(value=0) -%}
    {%- for mart in marts -%}
        {%- set mart_started = modules.datetime.datetime.now() -%}
        {%- set rows = export_copy(mart, tmp) -%}
        {%- set total_rows.value = total_rows.value + rows -%}
        {%- set seconds = (modules.datetime.datetime.now() - mart_started).total_seconds() -%}
        {{ log("export_marts: " ~ "%-22s" | format(mart.name) ~ " %12d rows %7.2f s" | format(rows, seconds)
            ~ ("   partitioned by " ~ mart.partition_by | join(', ') if mart.partition_by else ""), info=true) }}
    {%- endfor -%}

    {%- set written = export_scalar(
        "select dr_ingest_swap_folder(" ~ sql_string(tmp) ~ ", " ~ sql_string(final) ~ ")") -%}
    {%- set size = export_scalar("select dr_ingest_folder_bytes(" ~ sql_string(written) ~ ")") -%}
    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log("export_marts: total " ~ marts | length ~ " marts, " ~ total_rows.value ~ " rows, "
        ~ "%.1f MB (%d bytes), %.2f s -> %s" | format(size / 1000000, size, seconds, written), info=true) }}
{% endmacro %}


{#- The columns a mart is partitioned by: the run-operation's `partition_by: {mart: [cols]}`,
    else the model's `meta.export_partition_by`, else qa_* by recipe and params and
    pretrain_metrics by params (see README "Publishing the marts as Parquet"). -#}
{% macro export_partition_columns(node, overrides) %}
    {%- if node.name in overrides -%}
        {%- set columns = overrides[node.name] -%}
    {%- elif node.config.meta is mapping and 'export_partition_by' in node.config.meta -%}
        {%- set columns = node.config.meta['export_partition_by'] -%}
    {%- elif node.name.startswith('qa_') -%}
        {%- set columns = ['recipe', 'params'] -%}
    {%- elif node.name == 'pretrain_metrics' -%}
        {%- set columns = ['params'] -%}
    {%- else -%}
        {%- set columns = [] -%}
    {%- endif -%}
    {{ return([columns] if columns is string else (columns or []) | list) }}
{% endmacro %}


{#- COPY one mart into <tmp>/<mart>/; returns the rows written. A partitioned mart with no
    rows writes no file, so it is written unpartitioned (one file holding the schema). On an
    error the temporary export is removed and the run-operation fails. -#}
{% macro export_copy(mart, tmp) %}
    {%- set folder = tmp ~ '/' ~ mart.name -%}
    {%- set options = "format parquet, compression zstd, filename_pattern 'data_{i}'" -%}
    {%- set unpartitioned = options ~ ", file_size_bytes '512MB'" -%}
    {%- if mart.partition_by -%}
        {%- set quoted = [] -%}
        {%- for column in mart.partition_by -%}
            {%- do quoted.append('"' ~ column | replace('"', '""') ~ '"') -%}
        {%- endfor -%}
        {%- set copy_options = options ~ ", partition_by (" ~ quoted | join(', ')
            ~ "), write_partition_columns true" -%}
    {%- else -%}
        {%- set copy_options = unpartitioned -%}
    {%- endif -%}
    {%- set rows = export_run_copy(mart, tmp, folder, copy_options) -%}
    {%- if mart.partition_by and rows == 0 -%}
        {%- set rows = export_run_copy(mart, tmp, folder, unpartitioned) -%}
    {%- endif -%}
    {{ return(rows) }}
{% endmacro %}


{% macro export_run_copy(mart, tmp, folder, copy_options) %}
    {%- set statement = "copy (select * from " ~ mart.relation ~ ") to " ~ sql_string(folder)
        ~ " (" ~ copy_options ~ ")" -%}
    {%- set outcome = fromjson(export_scalar("select dr_ingest_run_sql(" ~ sql_string(statement) ~ ")")) -%}
    {%- if 'error' in outcome -%}
        {%- do export_scalar("select dr_ingest_remove_folder(" ~ sql_string(tmp) ~ ")") -%}
        {{ exceptions.raise_compiler_error(
            "export_marts: writing " ~ mart.name ~ " failed, the temporary export was removed and "
            ~ "the previous export (if any) is unchanged: " ~ outcome['error'] | truncate(2000, true, ' ...')) }}
    {%- endif -%}
    {{ return(outcome['rows'] or 0) }}
{% endmacro %}


{#- The single value of a one-row, one-column query. -#}
{% macro export_scalar(sql) %}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{% endmacro %}
