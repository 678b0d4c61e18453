{{ config(materialized='table') }}

with dump_files as (
    select * from {{ ref('stg_evals__dump_files') }}
),

metrics_records as (
    select * from {{ ref('stg_evals__metrics_records') }}
    where reject_reason is null
),

runs as (
    select distinct run_id from {{ ref('stg_wandb__runs') }}
),

dump_folders as (
    select
        dump_path,
        count(*) as n_files,
        count(*) filter (where is_loaded) as n_files_loaded,
        count(*) filter (where not is_loaded) as n_files_skipped
    from dump_files
    group by dump_path
    having bool_or(file_role = 'metrics_all')
),

dump_models as (
    select
        dump_path,
        min(model_name) as model_name,
        min(model_path) as model_path,
        min(model_revision) as model_revision,
        min(model_hash) as model_hash,
        count(distinct coalesce(model_name, '') || '|' || coalesce(model_path, '')) as n_model_identities,
        count(*) as n_task_records
    from metrics_records
    group by dump_path
),

path_components as (
    select
        dump_path,
        1 as match_priority,
        'model_path' as matched_on,
        unnest(string_split(model_path, '/')) as component
    from dump_models
    where model_path is not null
    union all
    select
        dump_path,
        2 as match_priority,
        'model' as matched_on,
        unnest(string_split(model_name, '/')) as component
    from dump_models
    where model_name is not null
    union all
    select
        dump_path,
        3 as match_priority,
        'dump_path' as matched_on,
        unnest(string_split(dump_path, '/')) as component
    from dump_folders
),

run_matches as (
    select
        path_components.dump_path,
        first(runs.run_id order by path_components.match_priority, runs.run_id) as run_id,
        first(path_components.matched_on order by path_components.match_priority, runs.run_id)
            as run_id_matched_on,
        count(distinct runs.run_id) as n_matching_runs
    from path_components
    inner join runs on path_components.component = runs.run_id
    group by path_components.dump_path
),

final as (
    select
        dump_folders.dump_path,
        case
            when run_matches.run_id is not null then 'run:' || run_matches.run_id
            when coalesce(dump_models.model_name, dump_models.model_path, dump_models.model_hash) is not null
                then 'model:'
                    || coalesce(dump_models.model_name, dump_models.model_path, dump_models.model_hash)
                    || coalesce('@' || dump_models.model_revision, '')
            else 'dump:' || dump_folders.dump_path
        end as model_id,
        case when run_matches.run_id is not null then 'finetuned_run' else 'other' end as model_kind,
        run_matches.run_id,
        run_matches.run_id_matched_on,
        coalesce(run_matches.n_matching_runs, 0) as n_matching_runs,
        dump_models.model_name,
        dump_models.model_path,
        dump_models.model_revision,
        dump_models.model_hash,
        coalesce(dump_models.n_model_identities, 0) as n_model_identities,
        coalesce(dump_models.n_task_records, 0) as n_task_records,
        dump_folders.n_files,
        dump_folders.n_files_loaded,
        dump_folders.n_files_skipped
    from dump_folders
    left join dump_models on dump_folders.dump_path = dump_models.dump_path
    left join run_matches on dump_folders.dump_path = run_matches.dump_path
)

select * from final
