{{ config(materialized='table') }}

with checkpoint_metrics as (
    select * from {{ ref('stg_qa__task_metrics') }}
    where reject_reason is null
),

dump_metrics as (
    select * from {{ ref('stg_evals__metrics_records') }}
    where reject_reason is null
),

dumps as (
    select * from {{ ref('int_evals__dumps') }}
),

checkpoint_records as (
    select
        'checkpoint:' || {{ checkpoint_path('recipe_slug', 'params', 'seed', 'step') }} as model_id,
        'pretrained_checkpoint' as model_kind,
        cast(null as varchar) as run_id,
        recipe_slug,
        params,
        seed,
        step,
        model_config ->> '$.model' as model_name,
        model_config ->> '$.model_path' as model_path,
        'qa' as source_name,
        'qa/' || {{ checkpoint_path('recipe_slug', 'params', 'seed', 'step') }} as source_path,
        task as file_stem,
        coalesce(nullif(task_name, ''), {{ eval_task_name('task') }}) as task_name,
        task_hash,
        model_hash,
        num_instances,
        task_idx,
        primary_metric,
        primary_score,
        metrics,
        task_config,
        model_config,
        processing_time,
        evaluated_on,
        evaluated_at,
        record_hash,
        source_file
    from checkpoint_metrics
),

dump_records as (
    select
        dumps.model_id,
        dumps.model_kind,
        dumps.run_id,
        cast(null as varchar) as recipe_slug,
        cast(null as varchar) as params,
        cast(null as integer) as seed,
        cast(null as bigint) as step,
        dump_metrics.model_name,
        dump_metrics.model_path,
        'evals' as source_name,
        'evals/' || dump_metrics.dump_path as source_path,
        cast(null as varchar) as file_stem,
        dump_metrics.task_name,
        dump_metrics.task_hash,
        dump_metrics.model_hash,
        dump_metrics.num_instances,
        dump_metrics.task_idx,
        dump_metrics.primary_metric,
        dump_metrics.primary_score,
        dump_metrics.metrics,
        dump_metrics.task_config,
        dump_metrics.model_config,
        dump_metrics.processing_time,
        dump_metrics.evaluated_on,
        dump_metrics.evaluated_at,
        dump_metrics.record_hash,
        dump_metrics.source_file
    from dump_metrics
    inner join dumps on dump_metrics.dump_path = dumps.dump_path
),

unioned as (
    select * from checkpoint_records
    union all
    select * from dump_records
),

ranked as (
    select
        unioned.*,
        {{ canonical_recipe('unioned.recipe_slug') }} as recipe,
        {{ seed_role_of('unioned.seed', 'qa_folder_seed') }} as seed_role,
        row_number() over (
            partition by unioned.model_id, unioned.task_name
            order by unioned.evaluated_at desc nulls last, unioned.source_path asc, unioned.source_file asc
        ) = 1 as is_chosen
    from unioned
),

chosen as (
    select
        model_id,
        task_name,
        record_hash
    from ranked
    where is_chosen
),

copies as (
    select
        model_id,
        task_name,
        record_hash,
        count(*) as n_copies,
        list(source_path order by source_path) as copy_paths
    from unioned
    group by model_id, task_name, record_hash
),

task_groups as (
    select
        model_id,
        task_name,
        count(distinct record_hash) - 1 as n_differing_records
    from unioned
    group by model_id, task_name
),

final as (
    select
        ranked.model_id,
        ranked.model_kind,
        ranked.run_id,
        {{ checkpoint_id('ranked.recipe', 'ranked.params', 'ranked.seed_role', 'ranked.step') }}
            as checkpoint_id,
        ranked.recipe,
        ranked.recipe_slug,
        ranked.params,
        ranked.seed_role,
        ranked.seed,
        ranked.step,
        ranked.model_name,
        ranked.model_path,
        ranked.task_name,
        {{ eval_base_task('ranked.task_name') }} as task,
        ranked.file_stem,
        ranked.task_hash,
        ranked.model_hash,
        ranked.num_instances,
        ranked.task_idx,
        ranked.primary_metric,
        ranked.primary_score,
        ranked.metrics,
        ranked.task_config,
        ranked.model_config,
        ranked.processing_time,
        ranked.evaluated_on,
        ranked.evaluated_at,
        ranked.record_hash,
        case
            when ranked.is_chosen then 'used'
            when ranked.record_hash = chosen.record_hash then 'duplicate'
            else 'superseded'
        end as record_status,
        ranked.is_chosen,
        copies.n_copies,
        copies.copy_paths,
        task_groups.n_differing_records,
        ranked.source_name,
        ranked.source_path,
        ranked.source_file
    from ranked
    inner join chosen
        on ranked.model_id = chosen.model_id and ranked.task_name = chosen.task_name
    inner join copies
        on
            ranked.model_id = copies.model_id
            and ranked.task_name = copies.task_name
            and ranked.record_hash = copies.record_hash
    inner join task_groups
        on ranked.model_id = task_groups.model_id and ranked.task_name = task_groups.task_name
)

select * from final
