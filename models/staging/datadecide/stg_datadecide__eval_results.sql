{{ config(materialized='table') }}
{#- One row per row of the eval-results shards (train and macro_avg): the checkpoint's key as
    published, the task, and its metrics parsed once into a MAP. A (split, params, data, seed,
    step, task) that several shards hold (two cached revisions, or a download beside the
    cache) is used once, the copy of the first file by path. A table: the metrics texts are
    parsed once (its readers: the pretraining metrics, the checkpoint dimension, the audit). -#}
with source as (
    {{ datadecide_shards_with('train_shards', 'metrics') }}
    union all by name
    {{ datadecide_shards_with('macro_avg_shards', 'metrics') }}
),

renamed as (
    select
        filename as source_file,
        case when regexp_matches(filename, '(^|/)macro_avg-[^/]*$') then 'macro_avg' else 'train' end
            as result_split,
        params,
        data,
        seed as seed_role,
        cast(step as bigint) as step,
        task,
        tokens,
        compute,
        try_cast(try(json({{ python_literal_as_json('metrics') }})) as map(varchar, double))
            as metrics,
        case
            when params is null or data is null or seed is null or step is null or task is null
                then 'result without its params, data, seed, step or task'
            when try_cast(try(json({{ python_literal_as_json('metrics') }})) as map(varchar, double)) is null
                then 'metrics is neither a dict literal nor JSON of numbers'
        end as reject_reason,
        case when reject_reason is not null then left(metrics, 200) end as raw_excerpt,
        row_number() over (
            partition by result_split, params, data, seed, step, task, reject_reason is null
            order by filename
        ) as copy_number
    from source
)

select * from renamed
