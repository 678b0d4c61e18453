{#- A raw metric label ('c4', 'eval/pile-validation/Perplexity', 'ARC-Easy acc_raw', ...) -> its
    canonical label from int_metric_labels; null when it cannot be resolved. -#}
{% macro canonical_metric_label(expression) -%}
    (
        select any_value(metric_labels.metric_label)
        from {{ ref('int_metric_labels') }} as metric_labels
        where metric_labels.label_key = {{ label_key(expression) }}
    )
{%- endmacro %}
