{{ config(
    materialized='table',
    post_hook="{{ collect_line_rejects('eval_predictions', 'prediction_lines', ref('stg_evals__dump_files'), by_file=false) }}",
) }}
{#- A table, so that the files are scanned once (the post-hook records that scan's unreadable
    lines) however many models read the lines. -#}
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
        case when prediction is null then left(line, 200) end as raw_excerpt
    from source
    where {{ has_text('line') }}
),

final as (
    select
        renamed.source_file,
        renamed.relative_path,
        renamed.dump_path,
        renamed.file_stem,
        {{ prediction_record_columns('renamed.prediction') | indent(8) }},
        renamed.reject_reason,
        renamed.raw_excerpt
    from renamed
)

select * from final
