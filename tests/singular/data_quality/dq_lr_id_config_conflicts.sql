{{ config(severity='warn') }}
-- Runs whose ID and config disagree on the learning rate (the ID's value is kept).
select
    run_id,
    id_lr_value,
    config_lr
from {{ ref('int_runs__normalized') }}
where lr_conflict
