{%- set has_files = source_file_count('pretrain', 'full_eval') > 0 -%}

with source as (
    {{ source_files('pretrain', 'full_eval') }}
),

{%- if has_files %}

metric_columns as (
    select
        params,
        data,
        seed,
        step,
        filename,
        columns({{ sql_string(var('pretrain_metric_columns')) }})
    from source
),

unpivoted as (
    unpivot metric_columns
    on columns(* exclude (params, data, seed, step, filename))
    into name metric value value
),
{%- else %}

unpivoted as (
    select
        params,
        data,
        seed,
        step,
        filename,
        cast(null as varchar) as metric,
        cast(null as double) as value
    from source
),
{%- endif %}

renamed as (
    select
        cast(params as varchar) as params,
        cast(data as varchar) as data,
        cast(seed as bigint) as seed,
        cast(step as bigint) as step,
        metric,
        cast(value as double) as value,
        filename as source_file
    from unpivoted
    where isfinite(cast(value as double))
)

select * from renamed
