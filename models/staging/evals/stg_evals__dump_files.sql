with source as (
    {{ source_files('evals', 'dump_files') }}
),

renamed as (
    select
        file as source_file,
        {{ eval_relative_path('file') }} as relative_path,
        {{ eval_dump_path('relative_path') }} as dump_path,
        regexp_extract(file, '[^/]*$') as file_name,
        {{ eval_file_role('file_name') }} as file_role,
        file_role in {{ eval_loaded_file_roles() }} as is_loaded
    from source
)

select * from renamed
