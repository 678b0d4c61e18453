-- resolved_path: a relative path becomes absolute under the folder dbt runs in, with `.`,
-- `..`, doubled and trailing `/` removed; an absolute path and a glob keep their text.
with cases as (
    select
        {{ sql_string(resolved_path('sample_data')) }} as relative_path,
        {{ sql_string(resolved_path('./warehouse//x/../dr_ingest.duckdb.qa/')) }} as odd_path,
        {{ sql_string(resolved_path('/data/a/b')) }} as absolute_path,
        {{ sql_string(resolved_path('qa/batch/*/*/*-predictions.jsonl')) }} as glob_path
),

failures as (
    select *
    from cases
    where
        not starts_with(relative_path, '/')
        or not ends_with(relative_path, '/sample_data')
        or odd_path != left(relative_path, -length('sample_data')) || 'warehouse/dr_ingest.duckdb.qa'
        or absolute_path != '/data/a/b'
        or glob_path != left(relative_path, -length('sample_data')) || 'qa/batch/*/*/*-predictions.jsonl'
)

select * from failures
