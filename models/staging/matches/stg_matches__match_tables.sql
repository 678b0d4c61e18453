{%- set match_entry = 'struct(matched_step double, matched_score double, score_diff double)' %}
{%- set match_type = 'map(varchar, map(varchar, map(varchar, ' ~ match_entry ~ ')))' %}

with source as (
    {{ source_files('matches', 'match_table_files') }}
),

renamed as (
    select
        filename as source_file,
        -- read as bytes: a file that is not UTF-8 is a reject, not a failed build. Every use
        -- decodes inside try() (DuckDB may lift a decode shared by several expressions out of
        -- a try(), where its error would stop the build)
        try(decode(content)) as content_text,
        regexp_extract(
            filename, {{ sql_string(var('matches_path_regex')) }},
            ['recipe_slug', 'params', 'seed_role', 'step', 'perplexity_set']
        ) as path_parts,
        nullif(path_parts['recipe_slug'], '') as target_recipe_slug,
        nullif(path_parts['params'], '') as target_params,
        nullif(path_parts['seed_role'], '') as target_seed_role,
        cast(try_cast(nullif(path_parts['step'], '') as double) as bigint) as target_step,
        nullif(path_parts['perplexity_set'], '') as perplexity_set,
        try_cast(try(json(try(decode(content)))) as {{ match_type }}) as matches,
        case
            when content_text is null then 'file is not UTF-8'
            when target_step is null
                then 'path is not <recipe>/<params>/<seed role>/<step>/perf_matches_ppl_<set>-validation.json'
            when matches is null then 'not a matching table (malformed JSON or another shape)'
        end as reject_reason,
        case when matches is null then left(coalesce(content_text, cast(content as varchar)), 200) end
            as raw_excerpt
    from source
)

select
    source_file,
    target_recipe_slug,
    target_params,
    target_seed_role,
    target_step,
    perplexity_set,
    matches,
    reject_reason,
    raw_excerpt
from renamed
