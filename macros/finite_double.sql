{#- Text or number -> DOUBLE, with NaN, Infinity and unparseable values -> null. -#}
{% macro finite_double(expression) -%}
    case
        when isfinite(try_cast({{ expression }} as double))
            then try_cast({{ expression }} as double)
    end
{%- endmacro %}
