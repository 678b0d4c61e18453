-- depends_on: {{ ref('load_qa__archives') }}

with source as (
    select * from {{ source('qa', 'members') }}
    where file_kind = 'predictions'
),

renamed as (
    select
        source_file,
        archive,
        member,
        recipe_slug,
        params,
        seed,
        step,
        task,
        file_size,
        n_lines
    from source
)

select * from renamed
