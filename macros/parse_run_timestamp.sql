{#- Run-ID timestamps: TS8 'YYYY_MM_DD-HH_MM_SS' or TS6 'YYMMDD-HHMMSS' (year 20YY) -> TIMESTAMP;
    anything else, or an impossible date, -> null. -#}
{% macro parse_run_timestamp(expression) -%}
    case
        when regexp_full_match({{ expression }}, '\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}')
            then try_strptime({{ expression }}, '%Y_%m_%d-%H_%M_%S')
        when regexp_full_match({{ expression }}, '\d{6}-\d{6}')
            then try_strptime('20' || {{ expression }}, '%Y%m%d-%H%M%S')
    end
{%- endmacro %}
