{#- The extracted predictions files with size and modification time (metadata only); the
    extraction hook leaves the files of unchanged archives untouched, so their records are
    not read again. -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}

with source as (
    {{ source_files('qa', 'prediction_files') }}
),

renamed as (
    select
        filename as source_file,
        size as file_size,
        cast(last_modified at time zone 'UTC' as timestamp) as file_modified_at
    from source
)

select * from renamed
