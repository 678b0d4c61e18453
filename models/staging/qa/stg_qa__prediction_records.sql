-- depends_on: {{ ref('load_qa__archives') }}

with source as (
    select * from {{ source('qa', 'prediction_records') }}
    where not blank_line
),

renamed as (
    select
        archive,
        source_file,
        recipe_slug,
        params,
        seed,
        step,
        task,
        doc_id,
        native_id,
        native_id_kind,
        label,
        task_hash,
        model_hash,
        metrics,
        model_output,
        n_choices,
        reject_reason,
        raw_excerpt,
        file_size,
        _loaded_at
    from source
)

select * from renamed
