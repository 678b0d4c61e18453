with source as (
    {{ source_files('pretrain', 'full_eval') }}
),

renamed as (
    select
        cast(params as varchar) as params,
        cast(data as varchar) as data,
        cast(seed as bigint) as seed,
        cast(step as bigint) as step,
        cast(tokens as double) as tokens,
        cast(compute as double) as compute,
        cast(total_steps as bigint) as total_steps,
        cast(warmup_steps as bigint) as warmup_steps,
        cast(lr_max as double) as lr_max,
        cast(batch_size as bigint) as batch_size,
        cast(lr_at_step as double) as lr_at_step,
        cast(cumulative_lr as double) as cumulative_lr,
        filename as source_file
    from source
)

select * from renamed
