{#- One row per distinct run: the most recent export of each run (see stg_wandb__run_records
    for the order), with the number of export records that carried it. -#}

with source as (
    select * from {{ ref('stg_wandb__run_records') }}
),

renamed as (
    select
        run_id,
        run_name,
        display_name,
        state,
        project,
        entity,
        created_at,
        updated_at,
        exported_at,
        tags,
        run_group,
        job_type,
        sweep_name,
        config,
        summary,
        wandb_metadata,
        has_config,
        {%- for name in var('run_config_fields') %}
        config_{{ name }},
        {%- endfor %}
        {%- for name in var('run_summary_fields') %}
        summary_{{ name }},
        {%- endfor %}
        export_layout,
        source_file,
        n_export_records
    from source
    where reject_reason is null and export_rank = 1
)

select * from renamed
