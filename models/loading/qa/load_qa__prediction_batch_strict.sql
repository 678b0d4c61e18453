{#- The batch's predictions lines parsed by DuckDB's JSON reader: the rows of
    load_qa__prediction_batch for a batch whose every line is one JSON object with a doc_id
    and no doc_id repeats within its file. The hook checks that against the lines it
    counted and otherwise reads the batch with load_qa__prediction_batch, so the stored rows
    are the same either way. -#}
-- depends_on: {{ ref('load_qa__work_folder') }}
-- depends_on: {{ source('qa', 'batch_prediction_lines') }}

with source as (
    select
        objects.prediction,
        objects.filename
    from {{ read_prediction_objects('qa', 'batch_prediction_lines') }} as objects
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
        source.prediction
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
    {{ prediction_record_columns('renamed.prediction') | indent(4) }},
    cast(null as varchar) as reject_reason,
    cast(null as varchar) as raw_excerpt,
    false as blank_line,
    renamed.file_size,
    cast('{{ run_started_at }}' as timestamp) as _loaded_at
from renamed
