{%- set metrics = [
    'predicted_index_raw', 'predicted_index_per_token', 'predicted_index_per_char',
    'predicted_index_per_byte', 'predicted_index_uncond', 'correct_choice', 'acc_raw',
    'acc_per_token', 'acc_per_char', 'acc_per_byte', 'acc_uncond', 'no_answer',
    'sum_logits_corr', 'logits_per_token_corr', 'logits_per_char_corr', 'bits_per_byte_corr'
] %}

with instances as (
    select * from {{ ref('qa_instances') }}
),

runs as (
    select
        run_id,
        start_checkpoint_id
    from {{ ref('runs') }}
),

finetuned as (
    select
        instances.*,
        runs.start_checkpoint_id
    from instances
    inner join runs on instances.run_id = runs.run_id
    where instances.model_kind = 'finetuned_run'
),

checkpoint_answers as (
    select * from instances
    where
        model_kind = 'pretrained_checkpoint'
        and checkpoint_id in (select finetuned.start_checkpoint_id from finetuned)
),

paired as (
    select
        finetuned.run_id,
        finetuned.start_checkpoint_id as checkpoint_id,
        finetuned.task_name,
        finetuned.task,
        finetuned.doc_id,
        checkpoint_answers.task_name as checkpoint_task_name,
        {%- for metric in metrics %}
        finetuned.{{ metric }} as finetuned_{{ metric }},
        checkpoint_answers.{{ metric }} as checkpoint_{{ metric }},
        {%- endfor %}
        row_number() over (
            partition by finetuned.run_id, finetuned.task_name, finetuned.doc_id
            order by
                checkpoint_answers.task_name = finetuned.task_name desc nulls last,
                checkpoint_answers.task_name asc nulls last
        ) as checkpoint_rank
    from finetuned
    left join checkpoint_answers
        on
            finetuned.start_checkpoint_id = checkpoint_answers.checkpoint_id
            and finetuned.task = checkpoint_answers.task
            and finetuned.doc_id = checkpoint_answers.doc_id
),

final as (
    select
        run_id,
        checkpoint_id,
        task_name,
        task,
        doc_id,
        {%- for metric in metrics %}
        finetuned_{{ metric }},
        checkpoint_{{ metric }},
        {%- endfor %}
        checkpoint_task_name
    from paired
    where checkpoint_rank = 1
)

select * from final
