{{ config(materialized='table') }}
-- depends_on: {{ ref('load_qa__work_folder') }}
with source as (
    select
        cast(null as varchar) as scratch_path,
        cast(null as varchar) as archive,
        cast(null as varchar) as member,
        cast(null as varchar) as source_file,
        cast(null as varchar) as file_kind,
        cast(null as varchar) as recipe_slug,
        cast(null as varchar) as params,
        cast(null as integer) as seed,
        cast(null as bigint) as step,
        cast(null as varchar) as task,
        cast(null as bigint) as file_size,
        cast(null as bigint) as n_lines
),

renamed as (
    select
        scratch_path,
        archive,
        member,
        source_file,
        file_kind,
        recipe_slug,
        params,
        seed,
        step,
        task,
        file_size,
        n_lines
    from source
    where false
)

select * from renamed
