with matched_runs as (
    select
        run_id,
        exp_name,
        run_timestamp,
        start_checkpoint_id,
        start_recipe,
        start_params,
        start_step_as_named,
        start_step,
        run_id_seed_index,
        start_seed_role,
        comparison_model_size,
        comparison_model_recipe,
        comparison_metric,
        lr,
        num_finetune_tokens,
        num_finetuned_tokens_real,
        abs_difference_ft_tokens_pct,
        final_train_loss,
        state
    from {{ ref('runs') }}
    where run_type = 'matched'
),

seed_roles as (
    select
        seed_role,
        seed_index,
        is_default
    from {{ ref('seed_roles') }}
),

default_seed_role as (
    select
        seed_role,
        seed_index
    from seed_roles
    where is_default
),

final_steps as (
    select
        params,
        final_step
    from {{ ref('final_steps') }}
),

checkpoints as (
    select
        recipe,
        params,
        seed_role,
        step,
        full_eval_step
    from {{ ref('checkpoints') }}
),

checkpoint_matches as (
    select * from {{ ref('checkpoint_matches') }}
),

pretrain_metrics as (
    select * from {{ ref('pretrain_metrics') }}
),

chosen_runs as (
    select
        run_id,
        summary_values
    from {{ ref('stg_wandb__runs') }}
),

eval_keys as (
    select
        summary_key,
        metric_label
    from {{ ref('int_runs__eval_keys') }}
),

runs_with_seed as (
    select
        matched_runs.*,
        seed_roles.seed_index as start_full_eval_seed,
        checkpoints.full_eval_step as start_full_eval_step
    from matched_runs
    left join seed_roles on matched_runs.start_seed_role = seed_roles.seed_role
    left join checkpoints
        on
            matched_runs.start_recipe = checkpoints.recipe
            and matched_runs.start_params = checkpoints.params
            and matched_runs.start_seed_role = checkpoints.seed_role
            and matched_runs.start_step = checkpoints.step
),

expected_steps as (
    -- the matching table of the comparison target names the checkpoint step to fine-tune
    select
        runs_with_seed.run_id,
        any_value(checkpoint_matches.matched_step) as expected_start_step
    from runs_with_seed
    cross join default_seed_role
    inner join final_steps on runs_with_seed.comparison_model_size = final_steps.params
    inner join checkpoint_matches
        on
            runs_with_seed.comparison_model_recipe = checkpoint_matches.target_recipe
            and runs_with_seed.comparison_model_size = checkpoint_matches.target_params
            and default_seed_role.seed_role = checkpoint_matches.target_seed_role
            and final_steps.final_step = checkpoint_matches.target_step
            and runs_with_seed.comparison_metric = checkpoint_matches.metric_label
            and runs_with_seed.start_recipe = checkpoint_matches.candidate_recipe
            and runs_with_seed.start_params = checkpoint_matches.candidate_params
            and runs_with_seed.start_seed_role = checkpoint_matches.candidate_seed_role
    group by runs_with_seed.run_id
),

comparison_values as (
    select
        runs_with_seed.run_id,
        max(pretrain_metrics.step) as comparison_step,
        arg_max(pretrain_metrics.value, pretrain_metrics.step) as comparison_metric_value
    from runs_with_seed
    cross join default_seed_role
    inner join pretrain_metrics
        on
            runs_with_seed.comparison_model_size = pretrain_metrics.params
            and runs_with_seed.comparison_model_recipe = pretrain_metrics.recipe
            and runs_with_seed.comparison_metric = pretrain_metrics.metric_label
            and default_seed_role.seed_role = pretrain_metrics.seed_role
    group by runs_with_seed.run_id
),

checkpoint_values as (
    select
        runs_with_seed.run_id,
        max(pretrain_metrics.step) as ckpt_metric_step,
        arg_max(pretrain_metrics.value, pretrain_metrics.step) as ckpt_metric_value
    from runs_with_seed
    inner join pretrain_metrics
        on
            runs_with_seed.start_params = pretrain_metrics.params
            and runs_with_seed.start_recipe = pretrain_metrics.recipe
            and runs_with_seed.comparison_metric = pretrain_metrics.metric_label
            and runs_with_seed.start_seed_role = pretrain_metrics.seed_role
            and runs_with_seed.start_full_eval_step = pretrain_metrics.step
    group by runs_with_seed.run_id
),

summary_values as (
    -- the run's summary value under an evaluation key of the comparison metric's label (as
    -- run_eval_metrics has it), looked up in the run's stored summary map: joining the long
    -- form instead unnested every run's values (2.9 M at 10,000 runs) for a few thousand
    select
        matched_runs.run_id,
        any_value(chosen_runs.summary_values[eval_keys.summary_key]) as finetuned_metric_value
    from matched_runs
    inner join eval_keys on matched_runs.comparison_metric = eval_keys.metric_label
    inner join chosen_runs on matched_runs.run_id = chosen_runs.run_id
    where isfinite(chosen_runs.summary_values[eval_keys.summary_key])
    group by matched_runs.run_id
),

history as (
    -- the history is the fallback: only matched runs whose summary lacks the metric are read
    select
        run_id,
        step,
        metrics
    from {{ ref('history') }}
    where
        run_id in (select matched_runs.run_id from matched_runs)
        and run_id not in (select summary_values.run_id from summary_values)
),

history_metric_keys as (
    -- the logged keys, read without their values (unnesting every logged value was the
    -- model's main cost: 20-66 s at 50,000 runs)
    select distinct unnest(json_keys(history.metrics)) as metric_key
    from history
),

history_metric_labels as (
    -- labels resolved once per distinct history key; only keys that label as a matched
    -- run's comparison metric are read below, as JSON pointers ('~' and '/' escaped)
    select
        labelled.metric_key,
        labelled.metric_label,
        '/' || replace(replace(labelled.metric_key, '~', '~0'), '/', '~1') as metric_pointer
    from (
        select
            history_metric_keys.metric_key,
            {{ canonical_metric_label('history_metric_keys.metric_key') }} as metric_label
        from history_metric_keys
    ) as labelled
    where labelled.metric_label in (select matched_runs.comparison_metric from matched_runs)
),

history_values as (
    select
        history.run_id,
        arg_max(
            {{ finite_double("history.metrics ->> history_metric_labels.metric_pointer") }},
            history.step
        ) as finetuned_metric_value
    from history
    inner join matched_runs on history.run_id = matched_runs.run_id
    inner join history_metric_labels
        on matched_runs.comparison_metric = history_metric_labels.metric_label
    group by history.run_id
),

final as (
    select
        runs_with_seed.run_id,
        runs_with_seed.exp_name,
        runs_with_seed.run_timestamp,
        runs_with_seed.state,
        runs_with_seed.start_checkpoint_id,
        runs_with_seed.start_recipe,
        runs_with_seed.start_params,
        runs_with_seed.start_step_as_named,
        runs_with_seed.start_step,
        runs_with_seed.run_id_seed_index,
        runs_with_seed.start_seed_role,
        runs_with_seed.start_full_eval_seed,
        expected_steps.expected_start_step,
        runs_with_seed.start_step = expected_steps.expected_start_step as start_step_agrees,
        runs_with_seed.comparison_model_size,
        runs_with_seed.comparison_model_recipe,
        runs_with_seed.comparison_metric,
        not ends_with(runs_with_seed.comparison_metric, '-valppl') as metric_higher_is_better,
        runs_with_seed.lr,
        runs_with_seed.num_finetune_tokens,
        runs_with_seed.num_finetuned_tokens_real,
        runs_with_seed.abs_difference_ft_tokens_pct,
        runs_with_seed.final_train_loss,
        comparison_values.comparison_step,
        comparison_values.comparison_metric_value,
        checkpoint_values.ckpt_metric_step,
        checkpoint_values.ckpt_metric_value,
        coalesce(summary_values.finetuned_metric_value, history_values.finetuned_metric_value)
            as finetuned_metric_value,
        case
            when summary_values.finetuned_metric_value is not null then 'summary'
            when history_values.finetuned_metric_value is not null then 'history'
        end as finetuned_metric_source,
        coalesce(summary_values.finetuned_metric_value, history_values.finetuned_metric_value)
        - comparison_values.comparison_metric_value as gap_to_comparison,
        checkpoint_values.ckpt_metric_value
        - comparison_values.comparison_metric_value as ckpt_gap_to_comparison,
        coalesce(summary_values.finetuned_metric_value, history_values.finetuned_metric_value)
        - checkpoint_values.ckpt_metric_value as change_from_ckpt
    from runs_with_seed
    left join comparison_values on runs_with_seed.run_id = comparison_values.run_id
    left join checkpoint_values on runs_with_seed.run_id = checkpoint_values.run_id
    left join expected_steps on runs_with_seed.run_id = expected_steps.run_id
    left join summary_values on runs_with_seed.run_id = summary_values.run_id
    left join history_values on runs_with_seed.run_id = history_values.run_id
)

select * from final
