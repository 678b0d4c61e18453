{{ config(materialized='table') }}

with classified as (
    select * from {{ ref('int_runs__classified') }}
),

seed_roles as (
    select
        seed_role,
        seed_index,
        is_default
    from {{ ref('seed_roles') }}
),

default_seed_role as (
    select seed_role
    from seed_roles
    where is_default
),

final_steps as (
    select
        params,
        final_step
    from {{ ref('final_steps') }}
),

typed as (
    select
        run_id,
        run_type,
        pattern_name,
        run_type = 'old' as is_legacy,
        id_run_timestamp as run_timestamp_text,
        {{ parse_run_timestamp('id_run_timestamp') }} as run_timestamp,
        id_exp_name as exp_name,
        coalesce(id_ckpt_data, config_ckpt_data) as ckpt_data_raw,
        coalesce(id_ckpt_params, config_ckpt_params) as ckpt_params,
        coalesce(
            id_ckpt_steps,
            cast(try_cast(try_cast(config_ckpt_steps as double) as bigint) as varchar),
            config_ckpt_steps,
            {{ run_default('ckpt_steps', 'pattern_name', 'run_type') }}
        ) as ckpt_steps,
        try_cast(id_ckpt_seed as integer) as ckpt_seed,
        try_cast(try_cast(config_finetune_seed as double) as bigint) as finetune_seed,
        coalesce({{ finite_double('id_lr') }}, {{ finite_double('id_lr2') }}) as id_lr_value,
        {{ finite_double('config_lr') }} as config_lr,
        {{ finite_double('id_lr1') }} as lr1,
        {{ finite_double('id_lr2') }} as lr2,
        {{ parse_token_count('id_num_finetune_tokens_per_epoch') }} as id_tokens_per_epoch,
        {{ parse_token_count('id_num_finetune_tokens') }} as id_tokens_total,
        (id_num_finetune_tokens_per_epoch is not null and id_tokens_per_epoch is null)
        or (id_num_finetune_tokens is not null and id_tokens_total is null) as token_parse_failed,
        coalesce(id_num_finetune_tokens_per_epoch, id_num_finetune_tokens) as token_text,
        coalesce(
            try_cast(id_num_finetune_epochs as integer),
            try_cast(try_cast(config_num_finetune_epochs as double) as integer),
            {{ run_default('num_finetune_epochs', 'pattern_name', 'run_type') }}
        ) as num_finetune_epochs,
        coalesce(
            try_cast(id_max_train_samples as bigint),
            try_cast(try_cast(config_max_train_samples as double) as bigint)
        ) as max_train_samples,
        id_reduce_loss as reduce_loss,
        id_comparison_model_size as comparison_model_size,
        coalesce(
            id_comparison_model_recipe,
            {{ run_default('comparison_model_recipe', 'pattern_name', 'run_type') }}
        ) as comparison_model_recipe_raw,
        coalesce(
            id_comparison_metric,
            {{ run_default('comparison_metric', 'pattern_name', 'run_type') }}
        ) as comparison_metric_raw,
        try_cast(try_cast(config_model_size as double) as bigint) as model_size,
        cast({{ finite_double('summary_total_tokens') }} as bigint) as num_finetuned_tokens_real,
        {{ finite_double('summary_train_loss') }} as final_train_loss,
        {{ finite_double('summary_runtime_seconds') }} as runtime_seconds,
        try_cast(try_cast(summary_last_step as double) as bigint) as last_step,
        to_timestamp({{ finite_double('summary_last_logged_epoch') }}) as last_logged_at,
        state,
        project,
        entity,
        {{ epoch_or_iso_timestamp('created_at') | indent(8) }} as created_at,
        run_name,
        tags,
        has_config,
        export_layout,
        source_file,
        n_export_records
    from classified
),

filled as (
    select
        *,
        coalesce(id_lr_value, config_lr) as lr,
        id_lr_value is not null and config_lr is not null
        and abs(id_lr_value - config_lr) > 1e-9 * greatest(abs(id_lr_value), abs(config_lr))
            as lr_conflict,
        coalesce(
            id_tokens_per_epoch,
            id_tokens_total // num_finetune_epochs,
            {{ run_default('num_finetune_tokens_per_epoch', 'pattern_name', 'run_type') }}
        ) as num_finetune_tokens_per_epoch,
        coalesce(
            id_tokens_total,
            num_finetune_tokens_per_epoch * num_finetune_epochs
        ) as num_finetune_tokens,
        {{ canonical_recipe('ckpt_data_raw') }} as ckpt_data,
        {{ canonical_recipe('comparison_model_recipe_raw') }} as comparison_model_recipe,
        {{ canonical_metric_label('comparison_metric_raw') }} as comparison_metric
    from typed
),

final as (
    select
        filled.*,
        -- the checkpoint's seed role: the ID's index, else (no index in the ID) the default
        case
            when filled.ckpt_seed is not null then seed_roles.seed_role
            when filled.ckpt_params is not null then default_seed_role.seed_role
        end as ckpt_seed_role,
        -- the checkpoint's step as a number: `main` is the size's final step
        coalesce(
            try_cast(filled.ckpt_steps as bigint),
            case when filled.ckpt_steps = 'main' then final_steps.final_step end
        ) as ckpt_step,
        abs(filled.num_finetune_tokens - filled.num_finetuned_tokens_real)
        / filled.num_finetune_tokens * 100 as abs_difference_ft_tokens_pct
    from filled
    left join seed_roles on filled.ckpt_seed = seed_roles.seed_index
    -- a left join: without a default role in the seed the runs stay (role null), never vanish
    left join default_seed_role on true
    left join final_steps on filled.ckpt_params = final_steps.params
)

select * from final
