{#- One row per distinct run: the most recent export of each run (see stg_wandb__run_records
    for the order), with the number of export records that carried it. -#}

with source as (
    select * from {{ ref('stg_wandb__run_records') }}
),

renamed as (
    select
        * exclude (
            reject_reason, export_rank, raw_excerpt, system_metrics, system_attrs, sweep_info
        )
    from source
    where reject_reason is null and export_rank = 1
)

select * from renamed
