{{ config(materialized=view_unless_lake()) }}

with records as not materialized (
    -- read by both branches: inline, not a copy of every record (DuckDB materializes a CTE
    -- read twice)
    select
        history_records.run_id,
        history_records.step,
        history_records.logged_at,
        history_records.runtime,
        history_records.train_loss,
        history_records.learning_rate,
        history_records.total_tokens,
        history_records.metrics,
        history_records.extra,
        history_records.history_layout,
        history_records.source_file,
        history_records.file_modified_at,
        history_records._loaded_at
    from {{ ref('int_wandb__history_records') }} as history_records
    where history_records.reject_reason is null
),

repeated_steps as (
    select
        repeated.run_id,
        repeated.step
    from {{ ref('int_wandb__history_repeated_steps') }} as repeated
),

logged_once as (
    select records.*
    from records
    anti join repeated_steps
        on records.run_id = repeated_steps.run_id and records.step = repeated_steps.step
),

newest_of_repeated as (
    select records.*
    from records
    semi join repeated_steps
        on records.run_id = repeated_steps.run_id and records.step = repeated_steps.step
    qualify row_number() over (
            partition by records.run_id, records.step
            order by
                records.file_modified_at desc,
                records.source_file desc,
                records.logged_at desc nulls last
        ) = 1
),

unioned as (
    select * from logged_once
    union all
    select * from newest_of_repeated
),

final as (
    select
        run_id,
        step,
        logged_at,
        runtime,
        train_loss,
        learning_rate,
        total_tokens,
        metrics,
        extra,
        history_layout,
        source_file,
        file_modified_at,
        _loaded_at
    from unioned
)

select * from final
