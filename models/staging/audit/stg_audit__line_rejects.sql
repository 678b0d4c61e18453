{#- The post-hooks of the models that scan the lines fill audit_store.line_rejects: the
    depends_on lines put this view after the staging ones; the marts that read it also read
    int_wandb__history_records, whose post-hook records the history's lines, so they run
    after it too (staging reads no intermediate model). -#}
-- depends_on: {{ ref('stg_wandb__run_records') }}
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
