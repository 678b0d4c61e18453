with runs as (
    select
        * exclude (
            display_name, updated_at, exported_at, run_group, job_type, sweep_name, _loaded_at
        )
    from {{ ref('stg_wandb__runs') }}
),

matched as (
    select
        *,
        {{ classify_run_id('run_id') | indent(8) }} as pattern_name
    from runs
),

extracted as (
    select
        *,
        {{ run_type_of_pattern('pattern_name') | indent(8) }} as run_type,
        {{ run_id_pattern_matches('run_id', 'pattern_name') | indent(4) }}
    from matched
),

final as (
    select
        * exclude ({{ run_id_match_columns() }}),
        {{ run_id_field_columns() | indent(4) }}
    from extracted
)

select * from final
