{#- Blank lines stay, flagged blank_line, so that the store holds one row per line the hook
    counted: the reconciliation test compares the two. A doc_id a file repeats (a file
    concatenated with itself) is kept once, the line with the smallest hash, so the choice is
    the same on every build; the window runs per batch, where every file is whole. -#}
-- depends_on: {{ ref('load_qa__work_folder') }}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}

with source as (
    select
        lines.line,
        lines.filename
    from ({{ source_glob('qa', 'batch_prediction_lines') }}) as lines
),

members as (
    select * from {{ ref('load_qa__batch_members') }}
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
        case when not blank_line and prediction is null then left(source.line, 200) end as raw_excerpt,
        hash(source.line) as line_hash
    from source
    inner join members on source.filename = members.scratch_path
),

ranked as (
    select
        *,
        case
            when reject_reason is null and not blank_line
                then row_number() over (
                        partition by
                            source_file, prediction['doc_id'], reject_reason is null and not blank_line
                        order by line_hash
                    )
        end as doc_copy
    from renamed
)

select
    ranked.archive,
    ranked.source_file,
    ranked.recipe_slug,
    ranked.params,
    ranked.seed,
    ranked.step,
    ranked.task,
    {{ prediction_record_columns('prediction') | indent(4) }},
    coalesce(
        ranked.reject_reason, case when ranked.doc_copy > 1 then 'doc_id repeated in the file' end
    ) as reject_reason,
    ranked.raw_excerpt,
    ranked.blank_line,
    ranked.file_size,
    cast('{{ run_started_at }}' as timestamp) as _loaded_at
from ranked
