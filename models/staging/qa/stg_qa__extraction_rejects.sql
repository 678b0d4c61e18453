-- depends_on: {{ ref('load_qa__archives') }}

with archives as (
    select * from {{ source('qa', 'archives') }}
),

member_rejects as (
    select * from {{ source('qa', 'member_rejects') }}
),

renamed as (
    select
        archive,
        cast(null as varchar) as member,
        reason
    from archives
    where status = 'rejected'
    union all
    select
        archive,
        member,
        reason
    from member_rejects
)

select * from renamed
