{{ config(severity='error') }}
{#- Nothing of the QA tarballs is lost between the hook and the store. For every archive of
    this build's manifest (load_qa__archives: the hook's own count of the task files
    it spooled and the predictions lines in them), and every archive that has stored rows:
    - the task files stored (qa_store.members) are the files the manifest counts;
    - the predictions rows stored are the lines the manifest counts (blank lines included,
      flagged), and, per file, the lines counted when it was spooled;
    - every metrics file has its one row.
    A rejected archive must have nothing stored. One row per archive or file that differs. -#}

with manifest as (
    select
        archive,
        status,
        case when status = 'rejected' then 0 else members_written end as files_expected,
        case when status = 'rejected' then 0 else questions end as lines_expected
    from {{ ref('load_qa__archives') }}
),

members as (
    select * from {{ source('qa', 'members') }}
),

prediction_rows as (
    select
        archive,
        source_file,
        count(*) as n_rows
    from {{ source('qa', 'prediction_records') }}
    group by archive, source_file
),

metrics_rows as (
    select
        archive,
        source_file,
        count(*) as n_rows
    from {{ source('qa', 'task_metrics_records') }}
    group by archive, source_file
),

file_checks as (
    select
        coalesce(members.archive, prediction_rows.archive, metrics_rows.archive) as archive,
        coalesce(members.source_file, prediction_rows.source_file, metrics_rows.source_file)
            as source_file,
        members.file_kind,
        case
            when members.file_kind = 'predictions' then members.n_lines
            when members.file_kind = 'metrics' then 1
            else 0
        end as rows_expected,
        coalesce(prediction_rows.n_rows, 0) + coalesce(metrics_rows.n_rows, 0) as rows_stored,
        members.source_file is not null as is_member
    from members
    full outer join prediction_rows on members.source_file = prediction_rows.source_file
    full outer join metrics_rows
        on coalesce(members.source_file, prediction_rows.source_file) = metrics_rows.source_file
),

archive_checks as (
    select
        archive,
        count(*) filter (where is_member) as files_stored,
        coalesce(sum(rows_stored) filter (where file_kind = 'predictions'), 0) as lines_stored
    from file_checks
    group by archive
),

archive_differences as (
    select
        coalesce(manifest.archive, archive_checks.archive) as archive,
        cast(null as varchar) as source_file,
        coalesce(manifest.status, 'not in the manifest') as status,
        coalesce(manifest.files_expected, 0) as files_expected,
        coalesce(archive_checks.files_stored, 0) as files_stored,
        coalesce(manifest.lines_expected, 0) as rows_expected,
        coalesce(archive_checks.lines_stored, 0) as rows_stored
    from manifest
    full outer join archive_checks on manifest.archive = archive_checks.archive
    where
        coalesce(manifest.files_expected, 0) != coalesce(archive_checks.files_stored, 0)
        or coalesce(manifest.lines_expected, 0) != coalesce(archive_checks.lines_stored, 0)
),

file_differences as (
    select
        archive,
        source_file,
        case when is_member then file_kind else 'rows without a stored file' end as status,
        cast(null as bigint) as files_expected,
        cast(null as bigint) as files_stored,
        rows_expected,
        rows_stored
    from file_checks
    where not is_member or rows_expected != rows_stored
)

select * from archive_differences
union all
select * from file_differences
