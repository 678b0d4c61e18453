{#- What the extraction hook refused: whole archives (member null) and single members. -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}

with source as (
    {{ source_files('qa', 'extraction_rejects') }}
),

renamed as (
    select
        archive,
        member,
        reason
    from source
)

select * from renamed
