with normalized as (
    select * from {{ ref('int_runs__normalized') }}
),

final as (
    select
        normalized.run_id,
        normalized.run_type,
        normalized.pattern_name,
        normalized.is_legacy,
        normalized.run_timestamp,
        normalized.exp_name,
        {{ checkpoint_id(
            'normalized.ckpt_data', 'normalized.ckpt_params', 'normalized.ckpt_seed_role',
            'normalized.ckpt_step'
        ) }} as start_checkpoint_id,
        normalized.ckpt_data as start_recipe,
        normalized.ckpt_params as start_params,
        normalized.ckpt_seed_role as start_seed_role,
        normalized.ckpt_step as start_step,
        normalized.ckpt_steps as start_step_as_named,
        normalized.ckpt_seed as run_id_seed_index,
        normalized.finetune_seed,
        normalized.lr,
        normalized.lr1,
        normalized.lr2,
        normalized.lr_conflict,
        normalized.num_finetune_tokens_per_epoch,
        normalized.num_finetune_epochs,
        normalized.num_finetune_tokens,
        normalized.num_finetuned_tokens_real,
        normalized.abs_difference_ft_tokens_pct,
        normalized.max_train_samples,
        normalized.reduce_loss,
        normalized.comparison_model_size,
        normalized.comparison_model_recipe,
        normalized.comparison_metric,
        normalized.model_size,
        normalized.final_train_loss,
        normalized.runtime_seconds,
        normalized.last_step,
        normalized.last_logged_at,
        normalized.state,
        normalized.project,
        normalized.entity,
        normalized.created_at,
        normalized.run_name,
        normalized.tags,
        normalized.n_export_records,
        normalized.export_layout,
        normalized.source_file
    from normalized
)

select * from final
