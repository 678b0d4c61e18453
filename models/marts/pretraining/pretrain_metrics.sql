with metrics as (
    select * from {{ ref('stg_pretrain__metrics') }}
),

named as (
    select
        {{ canonical_recipe('data') }} as recipe,
        params,
        {{ seed_role_of('seed', 'seed_index') }} as seed_role,
        seed as full_eval_seed,
        step,
        metric as full_eval_column,
        {{ canonical_metric_label('metric') }} as metric_label,
        value
    from metrics
),

final as (
    select
        {{ checkpoint_id('recipe', 'params', 'seed_role', 'step') }} as checkpoint_id,
        recipe,
        params,
        seed_role,
        full_eval_seed,
        step,
        full_eval_column,
        metric_label,
        value
    from named
)

select * from final
