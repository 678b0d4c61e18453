{#- The parsed columns of a scaling-law fit's setup string (var('scaling_law_setup_regex')):
    fit_form, is_intermediate, is_one_step, is_ai2, uses_helper_points, heldout_params,
    step2_fraction. All null for a setup the grammar does not know. -#}
{% macro scaling_law_setup_columns(expression) -%}
    {%- set fractions = var('scaling_law_step2_fraction') -%}
    case when {{ scaling_law_setup_known(expression) }} then {{ scaling_law_setup_part(expression, 1) }} end as fit_form,
    case when {{ scaling_law_setup_known(expression) }} then {{ scaling_law_setup_part(expression, 2) }} != '' end as is_intermediate,
    case when {{ scaling_law_setup_known(expression) }} then {{ scaling_law_setup_part(expression, 3) }} != '' end as is_one_step,
    case when {{ scaling_law_setup_known(expression) }} then {{ scaling_law_setup_part(expression, 4) }} != '' end as is_ai2,
    case when {{ scaling_law_setup_known(expression) }} then {{ scaling_law_setup_part(expression, 6) }} != '' end as uses_helper_points,
    case when {{ scaling_law_setup_known(expression) }} then
        case coalesce(nullif({{ scaling_law_setup_part(expression, 5) }}, ''), 'default')
        {%- for fit_set, sizes in var('scaling_law_heldout_params').items() %}
            when {{ sql_string(fit_set) }} then [{% for size in sizes %}{{ sql_string(size) }}{{ ', ' if not loop.last }}{% endfor %}]
        {%- endfor %}
        end
    end as heldout_params,
    case when {{ scaling_law_setup_known(expression) }} then cast(
        case
            when {{ scaling_law_setup_part(expression, 7) }} != '' then {{ fractions['half'] }}
            else {{ fractions['default'] }}
        end as double
    ) end as step2_fraction
{%- endmacro %}

{#- Whether a setup string follows the grammar. -#}
{% macro scaling_law_setup_known(expression) -%}
    regexp_full_match({{ expression }}, {{ sql_string(var('scaling_law_setup_regex')) }})
{%- endmacro %}

{#- The n-th group of the grammar in a setup string ('' when that part is absent). -#}
{% macro scaling_law_setup_part(expression, n) -%}
    regexp_extract({{ expression }}, {{ sql_string(var('scaling_law_setup_regex')) }}, {{ n }})
{%- endmacro %}
