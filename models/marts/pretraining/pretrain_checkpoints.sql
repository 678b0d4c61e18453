with checkpoints as (
    select * from {{ ref('stg_pretrain__checkpoints') }}
),

named as (
    select
        {{ canonical_recipe('data') }} as recipe,
        params,
        {{ seed_role_of('seed', 'seed_index') }} as seed_role,
        seed as full_eval_seed,
        step,
        tokens,
        compute,
        total_steps,
        warmup_steps,
        lr_max,
        batch_size,
        lr_at_step,
        cumulative_lr
    from checkpoints
),

final as (
    select
        {{ checkpoint_id('recipe', 'params', 'seed_role', 'step') }} as checkpoint_id,
        recipe,
        params,
        seed_role,
        full_eval_seed,
        step,
        step = max(step) over (partition by params, recipe, full_eval_seed) as is_last_full_eval_step,
        tokens,
        compute,
        total_steps,
        warmup_steps,
        lr_max,
        batch_size,
        lr_at_step,
        cumulative_lr
    from named
)

select * from final
