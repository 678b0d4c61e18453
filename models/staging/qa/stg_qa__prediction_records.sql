{{ config(materialized='table') }}
{#- Every line of every extracted predictions file, parsed once into typed values (the
    answer choices stay a typed list, unnested by qa_choices). A table: qa_instances,
    qa_choices, the rejects and the counts all read it, and the files are scanned once. -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}

with source as (
    {{ source_files('qa', 'prediction_lines') }}
),

renamed as (
    select
        filename as source_file,
        {{ qa_path_columns('filename') | indent(8) }},
        try(from_json(line, {{ sql_string(prediction_type) }})) as prediction,
        case
            when prediction is null then 'malformed JSON line'
            when prediction['doc_id'] is null then 'prediction has no doc_id'
        end as reject_reason,
        case when prediction is null then left(line, 200) end as raw_excerpt
    from source
    where trim(coalesce(line, '')) != ''
),

final as (
    select
        renamed.source_file,
        renamed.recipe_slug,
        renamed.params,
        renamed.seed,
        renamed.step,
        renamed.task,
        renamed.prediction.doc_id,
        renamed.prediction.native_id ->> '$' as native_id,
        case coalesce(json_type(renamed.prediction.native_id), 'NULL')
            when 'VARCHAR' then 'string'
            when 'NULL' then 'null'
            when 'BIGINT' then 'int'
            when 'UBIGINT' then 'int'
            else lower(json_type(renamed.prediction.native_id))
        end as native_id_kind,
        renamed.prediction.label ->> '$' as label,
        renamed.prediction.task_hash,
        renamed.prediction.model_hash,
        renamed.prediction.metrics,
        renamed.prediction.model_output,
        renamed.reject_reason,
        renamed.raw_excerpt
    from renamed
)

select * from final
