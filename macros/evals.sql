{#- Task names, paths and file roles of oe-eval outputs. -#}

{#- A task file's stem (`task-001-arc_easy:rc::olmes`) -> its task name, without oe-eval's
    `task-NNN-` prefix (var('eval_task_file_prefix_regex')). -#}
{% macro eval_task_name(file_stem) -%}
    regexp_replace({{ file_stem }}, {{ sql_string(var('eval_task_file_prefix_regex')) }}, '')
{%- endmacro %}

{#- A task name (`arc_easy:rc::olmes`) -> its base task (`arc_easy`): the text before the
    first ':'. -#}
{% macro eval_base_task(task_name) -%}
    split_part({{ task_name }}, ':', 1)
{%- endmacro %}

{#- The root folder of the oe-eval result folders: <data_dir>/evals. -#}
{% macro evals_root() -%}
    {{ return(data_dir() ~ '/evals') }}
{%- endmacro %}

{#- A file's path relative to evals_root(). -#}
{% macro eval_relative_path(path) -%}
    case
        when starts_with({{ path }}, {{ sql_string(evals_root() ~ '/') }})
            then substr({{ path }}, {{ (evals_root() | length) + 2 }})
        else regexp_replace({{ path }}, '^.*/evals/', '')
    end
{%- endmacro %}

{#- The folder (relative to evals_root(), '.' for the root itself) of a file given by its
    relative path. -#}
{% macro eval_dump_path(relative_path) -%}
    coalesce(nullif(regexp_extract({{ relative_path }}, '^(.*)/[^/]*$', 1), ''), '.')
{%- endmacro %}

{#- The role of a file in an oe-eval result folder, from its name
    (var('eval_dump_file_roles'), first match wins; 'other' otherwise). -#}
{% macro eval_file_role(file_name) -%}
    case
        {%- for role in var('eval_dump_file_roles') %}
        when regexp_matches({{ file_name }}, {{ sql_string(role['regex']) }}) then {{ sql_string(role['role']) }}
        {%- endfor %}
        else 'other'
    end
{%- endmacro %}

{#- SQL list of the file roles that are loaded (the others are skipped and counted). -#}
{% macro eval_loaded_file_roles() -%}
    {%- set loaded = [] -%}
    {%- for role in var('eval_dump_file_roles') if role['loaded'] -%}
        {%- do loaded.append(sql_string(role['role'])) -%}
    {%- endfor -%}
    ({{ loaded | join(', ') }})
{%- endmacro %}

{#- oe-eval's `current_date` text ("2024-12-19 12:16:07 UTC") as a TIMESTAMP (UTC); null when
    it does not parse (var('eval_current_date_format')). -#}
{% macro eval_evaluated_at(current_date) -%}
    try_strptime({{ current_date }}, {{ sql_string(var('eval_current_date_format')) }})
{%- endmacro %}

{#- The typed columns of one predictions line, parsed with var('qa_prediction_json_type')
    into `prediction`: shared by the checkpoint and the eval-dump staging models. -#}
{% macro prediction_record_columns(prediction) -%}
    {{ prediction }}.doc_id,
    {{ prediction }}.native_id ->> '$' as native_id,
    case coalesce(json_type({{ prediction }}.native_id), 'NULL')
        when 'VARCHAR' then 'string'
        when 'NULL' then 'null'
        when 'BIGINT' then 'int'
        when 'UBIGINT' then 'int'
        else lower(json_type({{ prediction }}.native_id))
    end as native_id_kind,
    {{ prediction }}.label ->> '$' as label,
    {{ prediction }}.task_hash,
    {{ prediction }}.model_hash,
    {{ prediction }}.metrics,
    {{ prediction }}.model_output,
    len({{ prediction }}.model_output) as n_choices
{%- endmacro %}

{#- A pretrained checkpoint's path `<recipe>/<params>/seed-<N>/step-<S>` (QA tarball layout),
    from its path columns: the identity of a checkpoint in the evaluation tables. -#}
{% macro checkpoint_path(recipe_slug, params, seed, step) -%}
    {{ recipe_slug }} || '/' || {{ params }} || '/seed-' || {{ seed }} || '/step-' || {{ step }}
{%- endmacro %}

{#- A type in from_json's JSON notation (`{"a": "BIGINT", "b": [{"c": "DOUBLE"}]}`, given as
    text) as a DuckDB type (`STRUCT("a" BIGINT, "b" STRUCT("c" DOUBLE)[])`): the same type
    for readers that take a DuckDB type, such as read_json's `columns`. -#}
{% macro json_type_as_duckdb(json_type) -%}
    {{- return(_json_type_node_as_duckdb(fromjson(json_type) if json_type is string else json_type)) -}}
{%- endmacro %}

{% macro _json_type_node_as_duckdb(node) -%}
    {%- if node is mapping -%}
        {%- set fields = [] -%}
        {%- for name, inner in node.items() -%}
            {%- do fields.append('"' ~ (name | replace('"', '""')) ~ '" ' ~ _json_type_node_as_duckdb(inner)) -%}
        {%- endfor -%}
        {{- return('STRUCT(' ~ fields | join(', ') ~ ')') -}}
    {%- elif node is string -%}
        {{- return(node) -}}
    {%- elif node | length == 1 -%}
        {{- return(_json_type_node_as_duckdb(node[0]) ~ '[]') -}}
    {%- else -%}
        {{- exceptions.raise_compiler_error('not a from_json type: ' ~ tojson(node)) -}}
    {%- endif -%}
{%- endmacro %}

{#- The predictions files of a file-backed source (its resolved glob), each line parsed by
    DuckDB's JSON reader straight into var('qa_prediction_json_type') as column
    `prediction`, beside `filename`. Several times faster than parsing the source's lines
    with from_json, and strict: a line that is not such an object fails the whole read, and
    blank lines give no row. -#}
{% macro read_prediction_objects(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('(select null as prediction, null as filename)') }}
    {%- endif -%}
    {%- set prediction_type = json_type_as_duckdb(var('qa_prediction_json_type') | replace('\n', ' ')) -%}
    read_json(
        {{ sql_string(source_file_glob(source_name, table_name)) }},
        format = 'newline_delimited',
        records = false,
        columns = {'prediction': {{ sql_string(prediction_type) }}},
        filename = true,
        maximum_object_size = {{ var('max_line_bytes') }}
    )
{%- endmacro %}
