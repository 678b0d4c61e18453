{#- A (task, mix, metric, setup) that several shards hold (two revisions of the dataset in the
    Hugging Face cache) is used once: the copy of the first file by path; the others are
    superseded (ingest_source_counts). -#}
with source as (
    {{ source_files('datadecide', 'scaling_law_fit_files') }}
),

renamed as (
    select
        filename as source_file,
        task,
        mix,
        {{ canonical_recipe('mix') }} as recipe,
        metric as fit_metric,
        setup,
        {{ scaling_law_setup_columns('setup') }},
        step_1_y as step_1_true,
        step_1_pred as step_1_predicted,
        abs_error_step_1 as step_1_abs_error,
        step_2_y as step_2_true,
        step_2_pred as step_2_predicted,
        abs_error_step_2 as step_2_abs_error,
        stacked_y as stacked_true,
        stacked_pred as stacked_predicted,
        abs_error_stacked as stacked_abs_error,
        rel_error_stacked as stacked_rel_error,
        decision_acc,
        case
            when task is null or mix is null or metric is null or setup is null
                then 'scaling-law fit without its task, mix, metric or setup'
        end as reject_reason,
        row_number() over (
            partition by task, {{ label_key('mix') }}, metric, setup, reject_reason is null
            order by filename
        ) as copy_number
    from source
)

select * from renamed
