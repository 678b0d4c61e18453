{{ config(severity='warn') }}
-- Files under evals/ that nothing reads and no folder count covers: files of folders without
-- a metrics-all.jsonl (their predictions files are rejected, see ingest_rejects) and packed
-- dumps (.tar.gz / .tgz: unpack them into evals/ to load them).
with dump_files as (
    select * from {{ ref('stg_evals__dump_files') }}
),

dumps as (
    select dump_path from {{ ref('int_evals__dumps') }}
)

select
    dump_files.relative_path,
    dump_files.file_role,
    case
        when dump_files.file_role = 'archive' then 'packed dump: not read, unpack it'
        else 'not in a folder with metrics-all.jsonl'
    end as reason
from dump_files
left join dumps on dump_files.dump_path = dumps.dump_path
where
    dump_files.file_role = 'archive'
    or (dumps.dump_path is null and dump_files.file_role != 'predictions')
