with fits as (
    select * from {{ ref('stg_datadecide__scaling_law_fits') }}
    where reject_reason is null and copy_number = 1
),

final as (
    select
        task,
        recipe,
        fit_metric,
        setup,
        mix,
        fit_form,
        is_one_step,
        is_intermediate,
        is_ai2,
        uses_helper_points,
        heldout_params,
        step2_fraction,
        step_1_true,
        step_1_predicted,
        step_1_abs_error,
        step_2_true,
        step_2_predicted,
        step_2_abs_error,
        stacked_true,
        stacked_predicted,
        stacked_abs_error,
        stacked_rel_error,
        decision_acc,
        source_file
    from fits
)

select * from final
