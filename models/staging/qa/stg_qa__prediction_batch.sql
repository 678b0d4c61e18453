{#- The predictions lines of the batch the QA hook is loading, parsed once into typed values
    (var('qa_prediction_json_type'); the answer choices stay a typed list, unnested by
    qa_choices). The hook inserts this view's rows into qa_store.prediction_records and
    deletes the batch; between batches it is empty. Lines that are not JSON keep a
    reject_reason and an excerpt. -#}
-- depends_on: {{ ref('stg_qa__work_folder') }}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}

with source as (
    select
        lines.line,
        lines.filename
    from {{ source('qa', 'batch_prediction_lines') }} as lines
),

members as (
    select * from {{ source('qa', 'batch_members') }}
    where file_kind = 'predictions'
),

renamed as (
    select
        members.archive,
        members.source_file,
        members.recipe_slug,
        members.params,
        members.seed,
        members.step,
        members.task,
        members.file_size,
        try(from_json(source.line, {{ sql_string(prediction_type) }})) as prediction,
        case
            when prediction is null then 'malformed JSON line'
            when prediction['doc_id'] is null then 'prediction has no doc_id'
        end as reject_reason,
        case when prediction is null then left(source.line, 200) end as raw_excerpt
    from source
    inner join members on source.filename = members.scratch_path
    where {{ has_text('source.line') }}
)

select
    renamed.archive,
    renamed.source_file,
    renamed.recipe_slug,
    renamed.params,
    renamed.seed,
    renamed.step,
    renamed.task,
    {{ prediction_record_columns('prediction') | indent(4) }},
    renamed.reject_reason,
    renamed.raw_excerpt,
    renamed.file_size,
    cast('{{ run_started_at }}' as timestamp) as _loaded_at
from renamed
