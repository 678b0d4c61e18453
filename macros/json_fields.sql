{#- Parse-once JSON extraction. A "field spec" is a list of dicts
    {name, kind ('text' | 'json'), paths: [JSON paths, first hit wins]}.
    `json_fields_list(expr, specs)` is ONE json_extract over every path (one parse of the
    document); `json_fields_columns(list_column, specs)` picks the columns out of that list. -#}

{% macro json_fields_paths(specs) %}
    {%- set paths = [] -%}
    {%- for spec in specs -%}
        {%- for path in spec['paths'] if path not in paths -%}
            {%- do paths.append(path) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(paths) }}
{% endmacro %}

{% macro json_fields_list(expression, specs) -%}
    try(json_extract({{ expression }}, [
        {%- for path in json_fields_paths(specs) -%}
            {{ sql_string(path) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    ]))
{%- endmacro %}

{#- Position (1-based) of a path in the list built by json_fields_list. -#}
{% macro json_fields_index(specs, path) -%}
    {{ json_fields_paths(specs).index(path) + 1 }}
{%- endmacro %}

{% macro json_fields_columns(list_column, specs) -%}
    {%- set paths = json_fields_paths(specs) -%}
    {%- for spec in specs %}
        {%- set items = [] -%}
        {%- for path in spec['paths'] -%}
            {%- do items.append(list_column ~ '[' ~ (paths.index(path) + 1) ~ ']') -%}
        {%- endfor -%}
        {%- set value = items[0] if items | length == 1 else 'coalesce(' ~ items | join(', ') ~ ')' -%}
        {%- if spec['kind'] == 'text' %}
    ({{ value }}) ->> '$' as {{ spec['name'] }}
        {%- else %}
    {{ value }} as {{ spec['name'] }}
        {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- JSON path of an object key, quoted so that '/', ':' and '.' in keys are safe. -#}
{% macro json_key_path(prefix, key) -%}
    {{ prefix }}."{{ key }}"
{%- endmacro %}

{#- The config_* and summary_* field specs, from var('run_config_fields') and
    var('run_summary_fields'), under the given object paths (e.g. ['$.config', '$.run.config']). -#}
{% macro run_payload_field_specs(config_paths, summary_paths) %}
    {%- set specs = [] -%}
    {%- for name, key in var('run_config_fields').items() -%}
        {%- set paths = [] -%}
        {%- for prefix in config_paths -%}{%- do paths.append(json_key_path(prefix, key)) -%}{%- endfor -%}
        {%- do specs.append({'name': 'config_' ~ name, 'kind': 'text', 'paths': paths}) -%}
    {%- endfor -%}
    {%- for name, key in var('run_summary_fields').items() -%}
        {%- set paths = [] -%}
        {%- for prefix in summary_paths -%}{%- do paths.append(json_key_path(prefix, key)) -%}{%- endfor -%}
        {%- do specs.append({'name': 'summary_' ~ name, 'kind': 'text', 'paths': paths}) -%}
    {%- endfor -%}
    {{ return(specs) }}
{% endmacro %}
