{#- The pretraining metrics table (full_eval) in long form, null metrics dropped. Grain:
    (params, data, seed, step, metric). Schedule columns are in pretrain_checkpoints. -#}

with metrics as (
    select * from {{ ref('stg_pretrain__metrics') }}
),

final as (
    select
        params,
        {{ canonical_recipe('data') }} as data,
        seed,
        step,
        metric,
        {{ canonical_metric_label('metric') }} as metric_label,
        value
    from metrics
)

select * from final
