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

{#- A W&B timestamp -> TIMESTAMP (UTC wall clock), the same whatever the session TimeZone:
    - epoch seconds, a number or numeric text (`1755615516.494104`, the exporter's str() of
      W&B's float): the instant, to the microsecond;
    - text with an offset or zone (`...T14:58:36+02:00`, `...Z`, `... UTC`, a Parquet
      TIMESTAMPTZ column cast to text): the instant, converted to UTC explicitly;
    - naive text (`2025-08-19 14:58:36`, `2025-08-19T14:58:36`, a Parquet TIMESTAMP column
      cast to text): read as UTC, as W&B logs. Cast to TIMESTAMP, never to TIMESTAMPTZ, which
      would read it in the session zone (DuckDB's TimeZone follows the machine's TZ).
    Anything else (and NaN, infinities, out-of-range numbers) is null. -#}
{% macro epoch_or_iso_timestamp(expression) -%}
    case
        when isfinite(try_cast({{ expression }} as double))
            -- the instant as UTC wall clock, from its microseconds (as to_timestamp() at time
            -- zone 'UTC' gives it, to the microsecond, without a time-zone conversion per row:
            -- 0.18 -> 0.04 s a million values)
            then try(make_timestamp(cast(try_cast({{ expression }} as double) * 1000000 as bigint)))
        when regexp_matches(
            trim(cast({{ expression }} as varchar)),
            ':\d{2}(\.\d+)?\s*([zZ]|[+-]\d{1,2}(:?\d{2})?|[A-Za-z][A-Za-z_/+-]*)$'
        )
            then cast(try_cast(trim(cast({{ expression }} as varchar)) as timestamptz) at time zone 'UTC' as timestamp)
        -- 'infinity' and '-infinity' parse as timestamps: left out
        when isfinite(try_cast(trim(cast({{ expression }} as varchar)) as timestamp))
            then try_cast(trim(cast({{ expression }} as varchar)) as timestamp)
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
    timestamp and runtime, in first-seen order], 'flat_groups': the flat files grouped by the
    type of their `timestamp` column (epoch DOUBLE in current exports, TIMESTAMP in older
    ones, TIMESTAMPTZ or text), [{'timestamp_type', 'files', 'metric_columns'}] - DuckDB cannot
    unify a DOUBLE and a TIMESTAMP column of one name, so each group is read on its own}.
    Empty lists outside execution. -#}
{% macro history_parquet_layouts(source_name, table_name) %}
    {%- set layouts = {'flat': [], 'nested': [], 'metric_columns': [], 'flat_groups': []} -%}
    {%- set metric_columns = layouts['metric_columns'] -%}
    {%- set shapes = source_parquet_columns(source_name, table_name) -%}
    {%- for file, columns in shapes.items() -%}
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
    {%- if layouts['flat'] -%}
        {%- set timestamp_types = {} -%}
        {%- for row in run_query(
            "select file_name, duckdb_type from parquet_schema(" ~ sql_path_list(layouts['flat'])
            ~ ") where name = 'timestamp'"
        ) -%}
            {%- do timestamp_types.update({row[0]: row[1]}) -%}
        {%- endfor -%}
        {%- set groups = {} -%}
        {%- for file in layouts['flat'] -%}
            {%- set timestamp_type = timestamp_types.get(file, 'none') -%}
            {%- if timestamp_type not in groups -%}
                {%- do groups.update({timestamp_type: {
                    'timestamp_type': timestamp_type, 'files': [], 'metric_columns': []}}) -%}
                {%- do layouts['flat_groups'].append(groups[timestamp_type]) -%}
            {%- endif -%}
            {%- set group = groups[timestamp_type] -%}
            {%- do group['files'].append(file) -%}
            {%- for column in shapes[file]
                if column not in ['run_id', 'step', 'timestamp', 'runtime'] + group['metric_columns'] -%}
                {%- do group['metric_columns'].append(column) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(layouts) }}
{% endmacro %}

{#- A select of typed history records (the columns of history_entry_columns, plus
    source_file, history_layout, reject_reason and raw_excerpt) over the flat Parquet history
    files of `layouts` (history_parquet_layouts), one read per type of the `timestamp`
    column. The columns are typed from their Parquet types, with no round trip through text:
    step, runtime and an epoch timestamp straight from their numbers (a TIMESTAMP or text
    timestamp goes through epoch_or_iso_timestamp as text), train_loss, learning_rate and
    total_tokens from their own columns. Every non-null column other than
    run_id/step/timestamp/runtime goes into `metrics` (a flat export has a column for every
    metric any of its runs logged, null where a row did not log it: half the bytes of the
    objects of the benchmark's SFT and DPO export were such nulls): the object is put
    together as text, each present value written by to_json (concat_ws skips the absent
    ones) after its key, JSON-quoted at compile time. With no such file, an empty select of
    the same shape. -#}
{% macro history_parquet_flat_records(layouts) -%}
    {%- set numeric_types = ['DOUBLE', 'FLOAT', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT',
        'UBIGINT', 'UINTEGER', 'USMALLINT', 'UTINYINT'] -%}
    {%- for group in layouts['flat_groups'] %}
    {%- if not loop.first %}
    union all
    {% endif %}
    {%- set timestamp_type = group['timestamp_type'] -%}
    {%- set timestamp_value = 'cast(null as varchar)' if timestamp_type == 'none'
        else ('"timestamp"' if timestamp_type in numeric_types or timestamp_type.startswith('DECIMAL')
        else 'cast("timestamp" as varchar)') -%}
    {%- set step = 'try_cast(try_cast(step as double) as bigint)' %}
    select
        filename as source_file,
        'history_flat_parquet' as history_layout,
        cast(run_id as varchar) as run_id,
        {{ step }} as step,
        {{ epoch_or_iso_timestamp(timestamp_value) }} as logged_at,
        {{ finite_double('runtime') }} as runtime,
        cast(
            '{' || concat_ws(
                ','{% for column in group['metric_columns'] %},
                {{ sql_string(column | tojson ~ ':') }} || to_json({{ adapter.quote(column) }})
                {%- endfor %}
            ) || '}' as json
        ) as metrics,
        cast(null as json) as extra,
        {%- for name in ['train_loss', 'learning_rate', 'total_tokens'] %}
        {%- set value = finite_double(adapter.quote(name)) if name in group['metric_columns']
            else 'cast(null as double)' %}
        {{ 'cast(' ~ value ~ ' as bigint)' if name == 'total_tokens' else value }} as {{ name }},
        {%- endfor %}
        {{ history_reject_reason("'parquet'", 'cast(run_id as varchar)', step) }} as reject_reason,
        cast(null as varchar) as raw_excerpt
    from read_parquet(
        {{ sql_path_list(group['files']) }},
        union_by_name = true, filename = true
    )
    {%- else %}
    select
        cast(null as varchar) as source_file,
        cast(null as varchar) as history_layout,
        cast(null as varchar) as run_id,
        cast(null as bigint) as step,
        cast(null as timestamp) as logged_at,
        cast(null as double) as runtime,
        cast(null as json) as metrics,
        cast(null as json) as extra,
        cast(null as double) as train_loss,
        cast(null as double) as learning_rate,
        cast(null as bigint) as total_tokens,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as raw_excerpt
    where false
    {%- endfor %}
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
        {{ sql_path_list(layouts['nested']) }},
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
