{{ config(severity='warn') }}
-- Evaluated models with differing task-level records for the same task (a re-run, or dumps
-- that disagree): the newest `current_date` is used; one row per (model, task) with the
-- folders of the records it superseded.
select
    model_id,
    task_name,
    any_value(source_path) filter (where record_status = 'used') as used_path,
    list(source_path order by source_path) filter (where record_status = 'superseded')
        as superseded_paths,
    count(*) filter (where record_status = 'superseded') as n_superseded_records
from {{ ref('int_evals__task_records') }}
group by model_id, task_name
having count(*) filter (where record_status = 'superseded') > 0
