with runs as (
    select
        run_id,
        run_type
    from {{ ref('runs') }}
),

history as (
    select * from {{ ref('history') }}
),

per_run as (
    select
        run_id,
        count(*) as steps_logged,
        min(step) as first_step,
        max(step) as last_step,
        arg_max(train_loss, step) filter (where train_loss is not null) as final_train_loss,
        min(train_loss) as min_train_loss,
        max(learning_rate) as peak_learning_rate,
        arg_max(
            step, struct_pack(learning_rate, negative_step := -step)
        ) filter (where learning_rate is not null) as peak_learning_rate_step,
        arg_max(learning_rate, step) filter (where learning_rate is not null) as final_learning_rate,
        arg_max(total_tokens, step) filter (where total_tokens is not null) as tokens_at_last_step,
        min(logged_at) as first_logged_at,
        max(logged_at) as last_logged_at
    from history
    group by run_id
),

final as (
    select
        runs.run_id,
        runs.run_type,
        coalesce(per_run.steps_logged, 0) as steps_logged,
        per_run.first_step,
        per_run.last_step,
        per_run.final_train_loss,
        per_run.min_train_loss,
        per_run.peak_learning_rate,
        per_run.peak_learning_rate_step,
        per_run.final_learning_rate,
        per_run.tokens_at_last_step,
        per_run.first_logged_at,
        per_run.last_logged_at
    from runs
    left join per_run on runs.run_id = per_run.run_id
)

select * from final
