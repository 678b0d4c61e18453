{{
    config(
        materialized='incremental',
        unique_key='source_file',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ forget_deleted_files(ref('stg_qa__prediction_files')) }}",
    )
}}
{#- Every line of every extracted predictions file, parsed once into typed values (the
    answer choices stay a typed list, unnested by qa_choices), stored: qa_instances,
    qa_choices, the rejects and the counts read it. Loaded file by file: only new or changed
    files are read; the records of files the hook removed are deleted. -#}
{%- set prediction_type = var('qa_prediction_json_type') | replace('\n', ' ') %}
{%- set files_to_load = files_to_load(ref('stg_qa__prediction_files')) %}

with files as (
    select * from {{ ref('stg_qa__prediction_files') }}
),

source as (
    select
        prediction_lines.line,
        prediction_lines.filename
    from ({{ source_files('qa', 'prediction_lines') }}) as prediction_lines
    where prediction_lines.filename in ({{ files_to_load }})
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
    where {{ has_text('line') }}
),

final as (
    select
        renamed.source_file,
        renamed.recipe_slug,
        renamed.params,
        renamed.seed,
        renamed.step,
        renamed.task,
        {{ prediction_record_columns('renamed.prediction') | indent(8) }},
        renamed.reject_reason,
        renamed.raw_excerpt,
        files.file_size,
        files.file_modified_at,
        cast('{{ run_started_at }}' as timestamp) as _loaded_at
    from renamed
    inner join files on renamed.source_file = files.source_file
)

select * from final
