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

{#- Field specs `config_<name>` / `summary_<name>` from var('run_config_fields') /
    var('run_summary_fields'), each looked up under every object path given (one per layout).
    `document` (optional) adds a spec of that name for the whole object (path '$'). -#}
{% macro run_payload_field_specs(kind, object_paths, document=none) %}
    {%- set specs = [] -%}
    {%- if document -%}
        {%- do specs.append({'name': document, 'kind': 'json', 'paths': ['$']}) -%}
    {%- endif -%}
    {%- set fields = var('run_config_fields') if kind == 'config' else var('run_summary_fields') -%}
    {%- for name, key in fields.items() -%}
        {%- set paths = [] -%}
        {%- for prefix in object_paths -%}{%- do paths.append(json_key_path(prefix, key)) -%}{%- endfor -%}
        {%- do specs.append({'name': kind ~ '_' ~ name, 'kind': 'text', 'paths': paths}) -%}
    {%- endfor -%}
    {{ return(specs) }}
{% endmacro %}

{#- Field specs of a JSON-lines run export line: layout A's keys, then layout C's
    (`{"run": {...}, "exported_at": ...}`); the first path that exists wins. The summary's
    fields are read from its numeric map (stg_wandb__run_records), and the documents no mart
    needs (system_attrs, system_metrics, wandb_metadata, sweep_info) are not extracted. -#}
{% macro run_export_line_specs() %}
    {%- set specs = [
        {'name': 'run_id', 'kind': 'text', 'paths': ['$.run_id', '$.run.run_id']},
        {'name': 'run_name', 'kind': 'text', 'paths': ['$.run_name', '$.run.name']},
        {'name': 'display_name', 'kind': 'text', 'paths': ['$.run.display_name']},
        {'name': 'state', 'kind': 'text', 'paths': ['$.state', '$.run.state']},
        {'name': 'project', 'kind': 'text', 'paths': ['$.project', '$.run.project']},
        {'name': 'entity', 'kind': 'text', 'paths': ['$.entity', '$.run.entity']},
        {'name': 'created_at', 'kind': 'text', 'paths': ['$.created_at', '$.run.created_at']},
        {'name': 'updated_at', 'kind': 'text', 'paths': ['$.run.updated_at']},
        {'name': 'exported_at', 'kind': 'text', 'paths': ['$.exported_at']},
        {'name': 'tags', 'kind': 'json', 'paths': ['$.run.tags', '$.system_attrs.tags']},
        {'name': 'run_group', 'kind': 'text', 'paths': ['$.run.group']},
        {'name': 'job_type', 'kind': 'text', 'paths': ['$.run.job_type']},
        {'name': 'sweep_name', 'kind': 'text', 'paths': ['$.run.sweep_name']},
        {'name': 'config', 'kind': 'json', 'paths': ['$.config', '$.run.config']},
        {'name': 'summary', 'kind': 'json', 'paths': ['$.summary', '$.run.summary_metrics']},
    ] -%}
    {%- do specs.extend(run_payload_field_specs('config', ['$.config', '$.run.config'])) -%}
    {{ return(specs) }}
{% endmacro %}
