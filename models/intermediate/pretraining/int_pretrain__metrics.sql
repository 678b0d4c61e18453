{#- Every pretraining metric value in full_eval's long form, from each source that has it:
    full_eval (its `<task>_<metric>` and `<set>-valppl` columns) and DataDecide's published
    datasets (eval-results train and macro_avg, ppl-results), which full_eval pivots. One row
    per (source, checkpoint, full_eval_column); pretrain_metrics keeps one per key. A view:
    pretrain_metrics stores the rows once (its two readers each unnest the parsed maps of the
    staged eval-results table). -#}
with seed_roles as (
    select
        seed_role,
        seed_index
    from {{ ref('seed_roles') }}
),

full_eval as (
    select
        'full_eval' as source_name,
        {{ canonical_recipe('data') }} as recipe,
        params,
        {{ seed_role_of('seed', 'seed_index') }} as seed_role,
        seed as full_eval_seed,
        step,
        metric as full_eval_column,
        value,
        source_file
    from {{ ref('stg_pretrain__metrics') }}
),

eval_results as (
    select
        source_file,
        result_split,
        data,
        params,
        seed_role,
        step,
        task,
        unnest(map_entries(metrics)) as entry
    from {{ ref('stg_datadecide__eval_results') }}
    where reject_reason is null and copy_number = 1
),

aggregate_tasks (task, full_eval_task) as (
    {%- for task, full_eval_task in var('datadecide_aggregate_tasks').items() %}
    select
        {{ sql_string(task) }},
        {{ sql_string(full_eval_task) }}
    {{- ' union all' if not loop.last }}
    {%- endfor %}
),

published_metrics as (
    select
        'datadecide_eval_results' as source_name,
        {{ canonical_recipe('eval_results.data') }} as recipe,
        eval_results.params,
        eval_results.seed_role,
        cast(null as bigint) as full_eval_seed,
        eval_results.step,
        coalesce(aggregate_tasks.full_eval_task, eval_results.task) || '_' || eval_results.entry.key
            as full_eval_column,
        eval_results.entry.value,
        eval_results.source_file
    from eval_results
    left join aggregate_tasks on eval_results.task = aggregate_tasks.task
    where
        -- macro_avg repeats the train split's tasks: only its aggregates are taken
        (eval_results.result_split = 'train' or aggregate_tasks.task is not null)
        and isfinite(eval_results.entry.value)
),

published_perplexities as (
    select
        'datadecide_perplexities' as source_name,
        {{ canonical_recipe('data') }} as recipe,
        params,
        seed_role,
        cast(null as bigint) as full_eval_seed,
        step,
        perplexity_set || '-valppl' as full_eval_column,
        perplexity as value,
        source_file
    from {{ ref('stg_datadecide__perplexities') }}
    where copy_number = 1
),

unioned as (
    select * from full_eval
    union all
    select * from published_metrics
    union all
    select * from published_perplexities
),

final as (
    select
        unioned.source_name,
        unioned.recipe,
        unioned.params,
        unioned.seed_role,
        coalesce(unioned.full_eval_seed, seed_roles.seed_index) as full_eval_seed,
        unioned.step,
        unioned.full_eval_column,
        unioned.value,
        unioned.source_file
    from unioned
    left join seed_roles on unioned.seed_role = seed_roles.seed_role
)

select * from final
