{#- Blank lines stay, flagged blank_line, so that the store holds one row per line the hook
    counted: the reconciliation test compares the two. -#}
-- depends_on: {{ ref('load_qa__work_folder') }}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}

with source as (
    select
        lines.line,
        lines.filename
    from ({{ source_glob('qa', 'batch_prediction_lines') }}) as lines
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
        not {{ has_text('source.line') }} as blank_line,
        try(from_json(source.line, {{ sql_string(prediction_type) }})) as prediction,
        case
            when blank_line then null
            when prediction is null then 'malformed JSON line'
            when prediction['doc_id'] is null then 'prediction has no doc_id'
        end as reject_reason,
        case when not blank_line and prediction is null then left(source.line, 200) end as raw_excerpt
    from source
    inner join members on source.filename = members.scratch_path
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
    renamed.blank_line,
    renamed.file_size,
    cast('{{ run_started_at }}' as timestamp) as _loaded_at
from renamed
