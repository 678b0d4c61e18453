{{ config(materialized='table') }}

with checkpoint_files as (
    select
        source_file,
        recipe_slug,
        params,
        seed,
        step,
        task,
        {{ checkpoint_path('recipe_slug', 'params', 'seed', 'step') }} as checkpoint
    from {{ ref('stg_qa__prediction_files') }}
),

dump_files as (
    select
        source_file,
        dump_path,
        regexp_extract(file_name, '^(.*)-predictions\.jsonl$', 1) as file_stem,
        {{ eval_task_name('file_stem') }} as task_name
    from {{ ref('stg_evals__dump_files') }}
    where file_role = 'predictions'
),

dumps as (
    select * from {{ ref('int_evals__dumps') }}
),

task_records as (
    select * from {{ ref('int_evals__task_records') }}
),

checkpoint_tasks as (
    select
        source_path,
        file_stem,
        any_value(task_name) as task_name
    from task_records
    where source_name = 'qa'
    group by source_path, file_stem
),

folder_tasks as (
    select
        source_path,
        task_name,
        bool_or(record_status in ('used', 'duplicate')) as holds_chosen_record
    from task_records
    group by source_path, task_name
),

model_tasks as (
    select distinct
        model_id,
        task_name
    from task_records
),

checkpoint_prediction_files as (
    select
        checkpoint_files.source_file,
        'qa' as source_name,
        'qa/' || checkpoint_files.checkpoint as source_path,
        'checkpoint:' || checkpoint_files.checkpoint as model_id,
        'pretrained_checkpoint' as model_kind,
        cast(null as varchar) as run_id,
        checkpoint_files.recipe_slug,
        checkpoint_files.params,
        checkpoint_files.seed,
        checkpoint_files.step,
        checkpoint_files.task as file_stem,
        coalesce(checkpoint_tasks.task_name, {{ eval_task_name('checkpoint_files.task') }}) as task_name,
        cast(null as varchar) as reject_reason
    from checkpoint_files
    left join checkpoint_tasks
        on
            checkpoint_tasks.source_path = 'qa/' || checkpoint_files.checkpoint
            and checkpoint_files.task = checkpoint_tasks.file_stem
),

dump_prediction_files as (
    select
        dump_files.source_file,
        'evals' as source_name,
        'evals/' || dump_files.dump_path as source_path,
        dumps.model_id,
        dumps.model_kind,
        dumps.run_id,
        cast(null as varchar) as recipe_slug,
        cast(null as varchar) as params,
        cast(null as integer) as seed,
        cast(null as bigint) as step,
        dump_files.file_stem,
        dump_files.task_name,
        case
            when dumps.dump_path is null
                then 'predictions file in a folder without metrics-all.jsonl'
            when folder_tasks.task_name is null
                then 'predictions file without a matching task: no task_name '
                    || dump_files.task_name || ' in the folder''s metrics-all.jsonl'
        end as reject_reason
    from dump_files
    left join dumps on dump_files.dump_path = dumps.dump_path
    left join folder_tasks
        on
            folder_tasks.source_path = 'evals/' || dump_files.dump_path
            and dump_files.task_name = folder_tasks.task_name
),

unioned as (
    select * from checkpoint_prediction_files
    union all
    select * from dump_prediction_files
),

ranked as (
    select
        unioned.*,
        coalesce(folder_tasks.holds_chosen_record, false) as holds_chosen_record,
        model_tasks.model_id is not null as has_task_record,
        row_number() over (
            partition by unioned.reject_reason is null, unioned.model_id, unioned.task_name
            order by
                coalesce(folder_tasks.holds_chosen_record, false) desc,
                unioned.source_path asc,
                unioned.source_file asc
        ) as file_rank
    from unioned
    left join folder_tasks
        on unioned.source_path = folder_tasks.source_path and unioned.task_name = folder_tasks.task_name
    left join model_tasks
        on unioned.model_id = model_tasks.model_id and unioned.task_name = model_tasks.task_name
),

named as (
    select
        *,
        {{ canonical_recipe('recipe_slug') }} as recipe,
        {{ seed_role_of('seed', 'qa_folder_seed') }} as seed_role
    from ranked
),

final as (
    select
        source_file,
        source_name,
        source_path,
        model_id,
        model_kind,
        run_id,
        {{ checkpoint_id('recipe', 'params', 'seed_role', 'step') }} as checkpoint_id,
        recipe,
        recipe_slug,
        params,
        seed_role,
        seed,
        step,
        file_stem,
        task_name,
        {{ eval_base_task('task_name') }} as task,
        case
            when reject_reason is not null then 'rejected'
            when file_rank = 1 and (holds_chosen_record or not has_task_record) then 'used'
            else 'superseded'
        end as file_status,
        reject_reason
    from named
)

select * from final
