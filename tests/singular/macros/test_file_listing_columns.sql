-- file_listing_columns over a real file listing: the path, its byte size and a UTC time.
with listing as (
    select
        {{ file_listing_columns() | indent(8) }},
        octet_length(content) as content_bytes
    from read_blob('dbt_project.yml')
),

failures as (
    select *
    from listing
    where
        source_file != 'dbt_project.yml'
        or file_size != content_bytes
        or file_modified_at is null
        or file_modified_at > cast(now() at time zone 'UTC' as timestamp) + interval 1 minute
)

select * from failures
