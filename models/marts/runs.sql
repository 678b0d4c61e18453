{#- One row per distinct WandB run: classified, normalised and typed (SPEC §3-§5). -#}

with normalized as (
    select * from {{ ref('int_runs__normalized') }}
),

final as (
    select
        run_id,
        run_type,
        pattern_name,
        is_legacy,
        run_timestamp,
        exp_name,
        ckpt_data,
        ckpt_params,
        ckpt_steps,
        ckpt_seed,
        finetune_seed,
        lr,
        lr1,
        lr2,
        lr_conflict,
        num_finetune_tokens_per_epoch,
        num_finetune_epochs,
        num_finetune_tokens,
        num_finetuned_tokens_real,
        abs_difference_ft_tokens_pct,
        max_train_samples,
        reduce_loss,
        comparison_model_size,
        comparison_model_recipe,
        comparison_metric,
        model_size,
        final_train_loss,
        runtime_seconds,
        last_step,
        last_logged_at,
        state,
        project,
        entity,
        created_at,
        run_name,
        tags,
        config,
        n_export_records,
        export_layout,
        source_file
    from normalized
)

select * from final
