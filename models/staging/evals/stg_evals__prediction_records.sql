{{ config(
    materialized='table',
    post_hook="{{ collect_line_rejects('eval_predictions', 'prediction_lines', ref('stg_evals__dump_files'), by_file=false) }}",
) }}
{#- A table, so that the files are scanned once (the post-hook records that scan's unreadable
    lines) however many models read the lines. A doc_id a file repeats is kept once, the line
    with the smallest hash, so the choice is the same on every build. -#}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}

with source as (
    {{ source_files('evals', 'prediction_lines') }}
),

renamed as (
    select
        filename as source_file,
        {{ eval_relative_path('filename') }} as relative_path,
        {{ eval_dump_path('relative_path') }} as dump_path,
        regexp_extract(filename, '([^/]*)-predictions\.jsonl$', 1) as file_stem,
        try(from_json(line, {{ sql_string(prediction_type) }})) as prediction,
        case
            when prediction is null then 'malformed JSON line'
            when prediction['doc_id'] is null then 'prediction has no doc_id'
        end as reject_reason,
        case when prediction is null then left(line, 200) end as raw_excerpt,
        hash(line) as line_hash
    from source
    where {{ has_text('line') }}
),

ranked as (
    select
        *,
        case
            when reject_reason is null
                then row_number() over (
                        partition by source_file, prediction['doc_id'], reject_reason is null
                        order by line_hash
                    )
        end as doc_copy
    from renamed
),

final as (
    select
        ranked.source_file,
        ranked.relative_path,
        ranked.dump_path,
        ranked.file_stem,
        {{ prediction_record_columns('ranked.prediction') | indent(8) }},
        coalesce(
            ranked.reject_reason, case when ranked.doc_copy > 1 then 'doc_id repeated in the file' end
        ) as reject_reason,
        ranked.raw_excerpt
    from ranked
)

select * from final
