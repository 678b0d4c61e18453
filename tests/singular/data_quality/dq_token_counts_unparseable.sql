{{ config(severity='warn') }}
-- Run IDs whose token count is not a number (planned tokens are null; see ingest_rejects).
select
    run_id,
    token_text
from {{ ref('int_runs__normalized') }}
where token_parse_failed
