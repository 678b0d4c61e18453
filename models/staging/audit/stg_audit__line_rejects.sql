{#- Unreadable lines of the line readers (bytes that are not UTF-8, an oversize line), as
    stored by the models that scan them; evaluation files are named by their path under the
    data root, as in the other evaluation rejects. -#}
-- depends_on: {{ ref('stg_wandb__run_records') }}
-- depends_on: {{ ref('int_wandb__history_records') }}
-- depends_on: {{ ref('stg_evals__metrics_records') }}
-- depends_on: {{ ref('stg_evals__prediction_records') }}

with source as (
    select * from {{ source('audit', 'line_rejects') }}
),

renamed as (
    select
        source_name,
        case
            when starts_with(source_name, 'eval_')
                then 'evals/' || {{ eval_relative_path('source_file') }}
            else source_file
        end as source_file,
        line_number,
        'line ' || line_number as record_key,
        error_type,
        reason,
        raw_excerpt
    from source
)

select * from renamed
