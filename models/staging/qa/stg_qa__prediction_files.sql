{#- The extracted predictions files with size and modification time (metadata only); the
    extraction hook leaves the files of unchanged archives untouched, so their records are
    not read again. -#}
-- depends_on: {{ ref('stg_qa__extracted_archives') }}

with source as (
    {{ source_files('qa', 'prediction_files') }}
),

renamed as (
    select
        {{ file_listing_columns() | indent(8) }}
    from source
)

select * from renamed
