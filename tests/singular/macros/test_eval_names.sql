-- eval_task_name, eval_base_task, eval_file_role and eval_evaluated_at on literal cases: the
-- file names oe-eval writes (SPEC §2.4, §2.5).
with task_cases (file_stem, expected_task_name, expected_task) as (
    values
    ('arc_easy', 'arc_easy', 'arc_easy'),
    ('task-000-arc_easy', 'arc_easy', 'arc_easy'),
    ('task-001-arc_easy:rc::olmes', 'arc_easy:rc::olmes', 'arc_easy'),
    ('task-012-mmlu_abstract_algebra:mc::olmes', 'mmlu_abstract_algebra:mc::olmes', 'mmlu_abstract_algebra'),
    ('core_9mcqa:rc::olmes:full', 'core_9mcqa:rc::olmes:full', 'core_9mcqa'),
    ('my-task-001-x', 'my-task-001-x', 'my-task-001-x')
),

role_cases (file_name, expected_role) as (
    values
    ('metrics-all.jsonl', 'metrics_all'),
    ('metrics.jsonl', 'vestigial_metrics'),
    ('task-001-arc_easy:rc::olmes-predictions.jsonl', 'predictions'),
    ('task-001-arc_easy:rc::olmes-metrics.json', 'task_metrics'),
    ('task-001-arc_easy:rc::olmes-requests.jsonl', 'requests'),
    ('task-001-arc_easy:rc::olmes-recorded-inputs.jsonl', 'recorded_inputs'),
    ('task-001-arc_easy:rc::olmes-config.json', 'task_config'),
    ('run_a.tar.gz', 'archive'),
    ('README.md', 'other')
),

date_cases (current_date_text, expected_at) as (
    values
    ('2024-12-19 12:16:07 UTC', timestamp '2024-12-19 12:16:07'),
    ('yesterday', cast(null as timestamp))
),

task_failures as (
    select
        file_stem as raw_value,
        expected_task_name || ' / ' || expected_task as expected,
        {{ eval_task_name('file_stem') }} || ' / ' || {{ eval_base_task(eval_task_name('file_stem')) }}
            as actual
    from task_cases
),

role_failures as (
    select
        file_name as raw_value,
        expected_role as expected,
        {{ eval_file_role('file_name') }} as actual
    from role_cases
),

date_failures as (
    select
        current_date_text as raw_value,
        cast(expected_at as varchar) as expected,
        cast({{ eval_evaluated_at('current_date_text') }} as varchar) as actual
    from date_cases
)

select * from task_failures where actual is distinct from expected
union all
select * from role_failures where actual is distinct from expected
union all
select * from date_failures where actual is distinct from expected
