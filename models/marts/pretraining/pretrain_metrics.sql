with metrics as (
    select * from {{ ref('int_pretrain__metrics') }}
),

keyed as (
    -- fixed-size aggregate states only (no list()): at the published datasets' size, ~30M
    -- keys, the aggregate then spills to disk instead of running out of memory
    select
        recipe,
        params,
        seed_role,
        full_eval_seed,
        step,
        full_eval_column,
        -- a published value first: full_eval is made from the published datasets (values
        -- that differ are listed by dq_pretrain_metric_sources_disagree)
        arg_min(value, source_name = 'full_eval') as value,
        bool_or(source_name = 'datadecide_eval_results') as from_eval_results,
        bool_or(source_name = 'datadecide_perplexities') as from_perplexities,
        bool_or(source_name = 'full_eval') as from_full_eval
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
        list_filter(
            [
                case when from_eval_results then 'datadecide_eval_results' end,
                case when from_perplexities then 'datadecide_perplexities' end,
                case when from_full_eval then 'full_eval' end
            ],
            source -> source is not null
        ) as value_sources
    from keyed
)

select * from final
