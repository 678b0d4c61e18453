{#- '<number>[K|M|B|G|T][t]' (case-insensitive) or plain digits -> BIGINT; anything else -> null.
    The multipliers come from var('token_unit_multipliers'). -#}
{% macro parse_token_count(expression) -%}
    {%- set units = var('token_unit_multipliers') -%}
    case
        when regexp_full_match(trim({{ expression }}), '\d+')
            then try_cast(trim({{ expression }}) as bigint)
        when regexp_full_match(trim({{ expression }}), '(?i)\d+(?:\.\d+)?[{{ units.keys() | join("") }}]t?')
            then cast(round(
                cast(regexp_extract(trim({{ expression }}), '^[\d.]+') as double)
                * case upper(regexp_extract(trim({{ expression }}), '(?i)[{{ units.keys() | join("") }}]'))
                {%- for unit, multiplier in units.items() %}
                    when '{{ unit }}' then {{ multiplier }}
                {%- endfor %}
                end
            ) as bigint)
    end
{%- endmacro %}
