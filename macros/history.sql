{#- History helpers: every layout is turned into STRUCT entries of the shape
    var('history_entry_json_type') and then into the same typed columns. -#}

{#- The typed history columns of an entry STRUCT column (run_id, step, logged_at, runtime,
    metrics JSON, extra JSON, and the three core metrics typed). -#}
{% macro history_entry_columns(entry) -%}
    {{ entry }}.run_id as run_id,
    try_cast(try_cast({{ entry }}.step as double) as bigint) as step,
    {{ epoch_or_iso_timestamp(entry ~ '.timestamp') }} as logged_at,
    {{ finite_double(entry ~ '.runtime') }} as runtime,
    {{ entry }}.metrics as metrics,
    {{ entry }}.extra as extra,
    json_extract_string({{ entry }}.metrics, ['$.train_loss', '$.learning_rate', '$.total_tokens'])
        as core_metrics,
    {{ finite_double('core_metrics[1]') }} as train_loss,
    {{ finite_double('core_metrics[2]') }} as learning_rate,
    cast({{ finite_double('core_metrics[3]') }} as bigint) as total_tokens
{%- endmacro %}

{#- Epoch seconds (number or numeric text) or ISO-8601 text -> TIMESTAMP (UTC). -#}
{% macro epoch_or_iso_timestamp(expression) -%}
    case
        when try_cast({{ expression }} as double) is not null
            then cast(to_timestamp(try_cast({{ expression }} as double)) at time zone 'UTC' as timestamp)
        else cast(try_cast({{ expression }} as timestamptz) at time zone 'UTC' as timestamp)
    end
{%- endmacro %}

{#- Why a history entry cannot be used, or null. -#}
{% macro history_reject_reason(parsed, run_id, step) -%}
    case
        when {{ parsed }} is null then 'malformed JSON line'
        when nullif(trim({{ run_id }}), '') is null then 'history entry has no run_id'
        when {{ step }} is null then 'history entry has no step'
    end
{%- endmacro %}



{#- The Parquet history files of a source by layout, read from the files' metadata:
    {'flat': [paths of flat files (layout A)], 'nested': [paths of files with a list column
    `json` (layout B)], 'metric_columns': [the flat files' columns other than run_id, step,
    timestamp and runtime, in first-seen order]}. Empty lists outside execution. -#}
{% macro history_parquet_layouts(source_name, table_name) %}
    {%- set layouts = {'flat': [], 'nested': [], 'metric_columns': []} -%}
    {%- set metric_columns = layouts['metric_columns'] -%}
    {%- for file, columns in source_parquet_columns(source_name, table_name).items() -%}
        {%- if 'json' in columns -%}
            {%- do layouts['nested'].append(file) -%}
        {%- else -%}
            {%- do layouts['flat'].append(file) -%}
            {%- for column in columns
                if column not in ['run_id', 'step', 'timestamp', 'runtime'] + metric_columns -%}
                {%- do metric_columns.append(column) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(layouts) }}
{% endmacro %}

{#- A select of (source_file, history_layout, entry) over the flat Parquet history files of
    `layouts` (history_parquet_layouts): every column other than run_id/step/timestamp/runtime
    goes into the entry's `metrics`. With no such file, an empty select of the same shape. -#}
{% macro history_parquet_flat_entries(layouts) -%}
    {%- if layouts['flat'] -%}
    select
        filename as source_file,
        'history_flat_parquet' as history_layout,
        struct_pack(
            run_id := cast(run_id as varchar),
            step := cast(step as varchar),
            "timestamp" := cast("timestamp" as varchar),
            runtime := cast(runtime as varchar),
            metrics := json_object(
                {%- for column in layouts['metric_columns'] %}
                {{ sql_string(column) }}, {{ adapter.quote(column) }}{{ ',' if not loop.last }}
                {%- endfor %}
            ),
            extra := cast(null as json)
        ) as entry
    from read_parquet(
        [{% for file in layouts['flat'] %}{{ sql_string(file) }}{{ ', ' if not loop.last }}{% endfor %}],
        union_by_name = true, filename = true
    )
    {%- else -%}
    {{ history_parquet_no_entries() }}
    {%- endif -%}
{%- endmacro %}

{#- A select of (source_file, history_layout, entry) over the layout-B Parquet history files
    of `layouts` (history_parquet_layouts): one entry per element of the list column `json`,
    typed as var('history_entry_json_type'). With no such file, an empty select. -#}
{% macro history_parquet_nested_entries(layouts) -%}
    {%- if layouts['nested'] -%}
    {%- set entry_type = var('history_entry_json_type') | replace('\n', ' ') -%}
    select
        filename as source_file,
        'history_array_parquet' as history_layout,
        from_json(to_json(unnest(json)), {{ sql_string(entry_type) }}) as entry
    from read_parquet(
        [{% for file in layouts['nested'] %}{{ sql_string(file) }}{{ ', ' if not loop.last }}{% endfor %}],
        filename = true
    )
    {%- else -%}
    {{ history_parquet_no_entries() }}
    {%- endif -%}
{%- endmacro %}

{#- An empty select of (source_file, history_layout, entry) with the entry STRUCT type. -#}
{% macro history_parquet_no_entries() -%}
    select
        cast(null as varchar) as source_file,
        cast(null as varchar) as history_layout,
        cast(null as STRUCT(run_id VARCHAR, step VARCHAR, "timestamp" VARCHAR, runtime VARCHAR, metrics JSON, extra JSON)) as entry
    where false
{%- endmacro %}
