{#- The ppl-results shards in long form: one row per (checkpoint as published, validation
    set) with its perplexity; null and non-finite values dropped. A key that several shards
    hold is used once, the copy of the first file by path. -#}
{%- set shapes = source_parquet_columns('datadecide', 'train_shards') -%}
{%- set has_perplexities = [] -%}
{%- for file, columns in shapes.items() -%}
    {%- for column in columns if column.endswith('-validation/Perplexity') -%}
        {%- do has_perplexities.append(column) -%}
    {%- endfor -%}
{%- endfor -%}

with source as (
    {%- if has_perplexities | length > 0 %}
    unpivot (
        select
            filename,
            params,
            data,
            seed,
            step,
            columns('^eval/.+-validation/Perplexity$')
        from ({{ datadecide_shards_with('train_shards', has_perplexities[0]) }}) as shards
    )
    on columns('^eval/.+-validation/Perplexity$')
    into name perplexity_column value perplexity
    {%- else %}
    select
        cast(null as varchar) as filename,
        cast(null as varchar) as params,
        cast(null as varchar) as data,
        cast(null as varchar) as seed,
        cast(null as double) as step,
        cast(null as varchar) as perplexity_column,
        cast(null as double) as perplexity
    where false
    {%- endif %}
),

renamed as (
    select
        filename as source_file,
        params,
        data,
        seed as seed_role,
        cast(step as bigint) as step,
        regexp_extract(perplexity_column, '^eval/(.+)-validation/Perplexity$', 1) as perplexity_set,
        perplexity,
        row_number() over (
            partition by params, data, seed, step, perplexity_column order by filename
        ) as copy_number
    from source
    where isfinite(perplexity)
)

select * from renamed
