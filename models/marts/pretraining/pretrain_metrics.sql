with metrics as (
    select * from {{ ref('int_pretrain__metrics') }}
),

keyed as (
    select
        recipe,
        params,
        seed_role,
        full_eval_seed,
        step,
        full_eval_column,
        -- a published value first: full_eval is made from the published datasets (values
        -- that differ are listed by dq_pretrain_metric_sources_disagree)
        arg_min(value, case when source_name = 'full_eval' then 1 else 0 end) as value,
        list_sort(list_distinct(list(source_name))) as value_sources
    from metrics
    group by recipe, params, seed_role, full_eval_seed, step, full_eval_column
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
        {{ canonical_metric_label('full_eval_column') }} as metric_label,
        value,
        value_sources
    from keyed
)

select * from final
