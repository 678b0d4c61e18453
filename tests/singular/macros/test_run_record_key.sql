-- run_record_key on literal records; a returned row is a pair the macro gets wrong: the same
-- file and load time must give the same key, any other pair a different one (microseconds
-- and the boundary between file name and time included).
with records (record_id, source_file, _loaded_at) as (
    values
    (1, 'wandb/runs_a.jsonl', timestamp '2026-12-01 10:00:00'),
    (2, 'wandb/runs_a.jsonl', timestamp '2026-12-01 10:00:00'),
    (3, 'wandb/runs_a.jsonl', timestamp '2026-12-01 10:00:00.000001'),
    (4, 'wandb/runs_b.jsonl', timestamp '2026-12-01 10:00:00'),
    (5, 'wandb/runs_a.jsonl2', timestamp '2026-12-01 10:00:00'),
    (6, 'wandb/runs_a.jsonl', timestamp '2026-12-02 10:00:00')
),

keyed as (
    select
        records.record_id,
        records.source_file,
        records._loaded_at,
        {{ run_record_key('records') }} as record_key
    from records
)

select
    left_records.record_id as left_record,
    right_records.record_id as right_record
from keyed as left_records
inner join keyed as right_records on left_records.record_id < right_records.record_id
where
    left_records.record_key is null
    or (left_records.record_key = right_records.record_key) != (
        left_records.source_file = right_records.source_file
        and left_records._loaded_at = right_records._loaded_at
    )
