-- canonical_recipe and canonical_metric_label on literal cases, against the real seeds.
with recipe_cases (raw_name, expected) as (
    values
    ('d17', 'Dolma1.7'),
    ('dolma1_7', 'Dolma1.7'),
    ('Dolma 1.7', 'Dolma1.7'),
    ('dolma1.7', 'Dolma1.7'),
    ('DCLM Baseline', 'DCLM-Baseline'),
    ('dclm', 'DCLM-Baseline'),
    ('dclm-baseline-qc-7p-fw3', 'DCLM-Baseline (QC 7%, FW3)'),
    ('falcon-with-cc', 'Falcon+CC'),
    ('FineWeb', 'FineWeb-Edu'),
    ('d16', 'Dolma1.6++'),
    ('mystery_mix', 'mystery_mix')
),

metric_cases (raw_label, expected) as (
    values
    ('c4', 'c4_en-valppl'),
    ('c4-en', 'c4_en-valppl'),
    ('pile', 'pile-valppl'),
    ('pile_valppl', 'pile-valppl'),
    ('eval/pile-validation/Perplexity', 'pile-valppl'),
    ('m2d2-s2orc', 'm2d2_s2orc-valppl'),
    ('dolma_common_crawl', 'dolma_common-crawl-valppl'),
    ('ARC-Easy acc_raw', 'arc_easy_acc_raw'),
    ('mmlu_abstract_algebra/correct_prob_per_char', 'mmlu_abstract_algebra_correct_prob_per_char'),
    ('arc_easy/predicted_index_raw', 'arc_easy_predicted_index_raw'),
    ('boolq_correct_logit_per_char', 'boolq_correct_logit_per_char'),
    ('core_9mcqa_acc_raw_micro', 'core_9mcqa_acc_raw_micro'),
    ('core_9mcqa/bits_per_byte_corr_macro', 'core_9mcqa_bits_per_byte_corr_macro'),
    ('mmlu_acc_per_char_macro', 'mmlu_acc_per_char_macro'),
    ('arc_easy_acc_raw_micro', null),
    ('not_a_metric', null)
),

recipe_failures as (
    select raw_name as raw_value, expected, {{ canonical_recipe('raw_name') }} as actual
    from recipe_cases
),

metric_failures as (
    select raw_label as raw_value, expected, {{ canonical_metric_label('raw_label') }} as actual
    from metric_cases
)

select * from recipe_failures where actual is distinct from expected
union all
select * from metric_failures where actual is distinct from expected
