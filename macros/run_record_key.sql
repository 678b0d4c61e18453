{#- A run export record's identity as one number: its file and the build that loaded it. -#}
{% macro run_record_key(relation_alias) -%}
    md5_number_lower(
        concat_ws(
            chr(31),
            {{ relation_alias }}.source_file,
            strftime({{ relation_alias }}._loaded_at, '%Y-%m-%d %H:%M:%S.%f')
        )
    )
{%- endmacro %}
