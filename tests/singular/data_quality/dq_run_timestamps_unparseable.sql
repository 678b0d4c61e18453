{{ config(severity='warn') }}
-- Runs whose ID carries a timestamp that does not parse (run_timestamp is null).
select
    run_id,
    run_timestamp_text
from {{ ref('int_runs__normalized') }}
where run_timestamp_text is not null and run_timestamp is null
