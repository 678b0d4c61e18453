{#- One row per pretraining checkpoint in full_eval, (params, data, seed, step), with its
    schedule columns and whether it is the series' final step. -#}

with checkpoints as (
    select * from {{ ref('stg_pretrain__checkpoints') }}
),

final as (
    select
        params,
        {{ canonical_recipe('data') }} as data,
        seed,
        step,
        step = max(step) over (partition by params, data, seed) as is_final_step,
        tokens,
        compute,
        total_steps,
        warmup_steps,
        lr_max,
        batch_size,
        lr_at_step,
        cumulative_lr
    from checkpoints
)

select * from final
