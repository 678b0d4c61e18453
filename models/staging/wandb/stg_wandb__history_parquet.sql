{#- History exports in Parquet: flat rows (layout A) and layout B converted to Parquet (one
    row per run, a list column `json`). Which file is which is read from the Parquet
    metadata at build time; each branch reads only its files. In flat files every column
    other than run_id/step/timestamp/runtime is a metric and goes into `metrics`. -#}
{%- set entry_type = var('history_entry_json_type') | replace('\n', ' ') -%}
{%- set shapes = source_parquet_columns('wandb', 'history_export_parquet') -%}
{%- set flat_files = [] -%}
{%- set nested_files = [] -%}
{%- set metric_columns = [] -%}
{%- for file, columns in shapes.items() -%}
    {%- if 'json' in columns -%}
        {%- do nested_files.append(file) -%}
    {%- else -%}
        {%- do flat_files.append(file) -%}
        {%- for column in columns
            if column not in ['run_id', 'step', 'timestamp', 'runtime'] + metric_columns -%}
            {%- do metric_columns.append(column) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor -%}

-- depends_on: {{ source('wandb', 'history_export_parquet') }}

with flat_entries as (
    {%- if flat_files %}
    select
        filename as source_file,
        'history_flat_parquet' as history_layout,
        struct_pack(
            run_id := cast(run_id as varchar),
            step := cast(step as varchar),
            "timestamp" := cast("timestamp" as varchar),
            runtime := cast(runtime as varchar),
            metrics := json_object(
                {%- for column in metric_columns %}
                {{ sql_string(column) }}, {{ adapter.quote(column) }}{{ ',' if not loop.last }}
                {%- endfor %}
            ),
            extra := cast(null as json)
        ) as entry
    from read_parquet(
        [{% for file in flat_files %}{{ sql_string(file) }}{{ ', ' if not loop.last }}{% endfor %}],
        union_by_name = true, filename = true
    )
    {%- else %}
    select
        cast(null as varchar) as source_file,
        cast(null as varchar) as history_layout,
        cast(null as {{ 'STRUCT(run_id VARCHAR, step VARCHAR, "timestamp" VARCHAR, runtime VARCHAR, metrics JSON, extra JSON)' }}) as entry
    where false
    {%- endif %}
),

nested_entries as (
    {%- if nested_files %}
    select
        filename as source_file,
        'history_array_parquet' as history_layout,
        from_json(to_json(unnest(json)), {{ sql_string(entry_type) }}) as entry
    from read_parquet(
        [{% for file in nested_files %}{{ sql_string(file) }}{{ ', ' if not loop.last }}{% endfor %}],
        filename = true
    )
    {%- else %}
    select
        cast(null as varchar) as source_file,
        cast(null as varchar) as history_layout,
        cast(null as {{ 'STRUCT(run_id VARCHAR, step VARCHAR, "timestamp" VARCHAR, runtime VARCHAR, metrics JSON, extra JSON)' }}) as entry
    where false
    {%- endif %}
),

entries as (
    select * from flat_entries
    union all
    select * from nested_entries
),

renamed as (
    select
        source_file,
        history_layout,
        {{ history_entry_columns('entry') | indent(8) }},
        {{ history_reject_reason("'parquet'", 'entry.run_id', 'try_cast(try_cast(entry.step as double) as bigint)') }}
            as reject_reason,
        cast(null as varchar) as raw_excerpt
    from entries
)

select * exclude (core_metrics) from renamed
