{#- The run-ID grammar lives in var('run_id_patterns') (dbt_project.yml). These macros turn
    it into SQL: first-match classification, per-form extraction by group name, defaults. -#}

{#- The pattern list, each entry with `fields`: its group names in capture order. -#}
{% macro run_id_patterns() %}
    {%- set patterns = [] -%}
    {%- for entry in var('run_id_patterns') -%}
        {%- set unnamed = modules.re.findall('(?<!\\\\)\\((?!\\?)', entry['regex']) -%}
        {%- if unnamed | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                "run_id_patterns entry " ~ entry['name'] ~ ": every capture group must be named "
                ~ "(?P<field>...); write (?:...) for grouping") }}
        {%- endif -%}
        {%- set fields = modules.re.findall('\\(\\?P<(\\w+)>', entry['regex']) -%}
        {%- do patterns.append({
            'name': entry['name'],
            'run_type': entry['run_type'],
            'regex': entry['regex'],
            'anchored': '^(?:' ~ entry['regex'] ~ ')$',
            'fields': fields,
            'requires': entry.get('requires', {}),
            'excludes': entry.get('excludes'),
            'defaults': entry.get('defaults', {}),
        }) -%}
    {%- endfor -%}
    {{ return(patterns) }}
{% endmacro %}

{#- Every field some pattern extracts, in first-seen order. -#}
{% macro run_id_fields() %}
    {%- set fields = [] -%}
    {%- for pattern in run_id_patterns() -%}
        {%- for field in pattern['fields'] if field not in fields -%}
            {%- do fields.append(field) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(fields) }}
{% endmacro %}

{#- The name of the first pattern whose whole-string match (and conditions) hold, else 'other'. -#}
{% macro classify_run_id(run_id) -%}
    case
    {%- for pattern in run_id_patterns() %}
        when regexp_full_match({{ run_id }}, {{ sql_string(pattern['regex']) }})
        {%- if pattern['excludes'] %}
            and not regexp_matches({{ run_id }}, {{ sql_string(pattern['excludes']) }})
        {%- endif %}
        {%- for field, required in pattern['requires'].items() %}
            and regexp_matches(
                regexp_extract({{ run_id }}, {{ sql_string(pattern['anchored']) }},
                    {{ pattern['fields'].index(field) + 1 }}),
                {{ sql_string(required) }})
        {%- endfor %}
            then {{ sql_string(pattern['name']) }}
    {%- endfor %}
        else 'other'
    end
{%- endmacro %}

{#- The run_type of a pattern name column. -#}
{% macro run_type_of_pattern(pattern_name) -%}
    case {{ pattern_name }}
    {%- for pattern in run_id_patterns() %}
        when {{ sql_string(pattern['name']) }} then {{ sql_string(pattern['run_type']) }}
    {%- endfor %}
        else 'other'
    end
{%- endmacro %}

{#- One column per pattern: the STRUCT of its named groups for the runs it classified. -#}
{% macro run_id_pattern_matches(run_id, pattern_name) -%}
    {%- for pattern in run_id_patterns() %}
    case when {{ pattern_name }} = {{ sql_string(pattern['name']) }}
        then regexp_extract({{ run_id }}, {{ sql_string(pattern['anchored']) }},
            [{% for field in pattern['fields'] %}{{ sql_string(field) }}{{ ', ' if not loop.last }}{% endfor %}])
    end as {{ run_id_match_column(pattern) }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro run_id_match_column(pattern) -%}
    match_{{ pattern['name'] | lower }}
{%- endmacro %}

{#- The match columns, for `select * exclude (...)`. -#}
{% macro run_id_match_columns() -%}
    {%- for pattern in run_id_patterns() -%}
        {{ run_id_match_column(pattern) }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- A field's value as text, taken by name from whichever pattern matched (null if none). -#}
{% macro run_id_field(field) -%}
    {%- set sources = [] -%}
    {%- for pattern in run_id_patterns() if field in pattern['fields'] -%}
        {%- do sources.append("nullif(" ~ run_id_match_column(pattern) ~ "." ~ field ~ ", '')") -%}
    {%- endfor -%}
    {%- if sources | length == 0 -%}
        cast(null as varchar)
    {%- elif sources | length == 1 -%}
        {{ sources[0] }}
    {%- else -%}
        coalesce({{ sources | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- The default for a field, most specific first: the pattern's own, the run type's, then
    `all` (known forms only; `old` and `other` runs get no defaults). Typed as given. -#}
{% macro run_default(field, pattern_name, run_type) -%}
    {%- set defaults = var('run_defaults') -%}
    {%- set branches = [] -%}
    {%- for pattern in run_id_patterns() if field in pattern['defaults'] -%}
        {%- do branches.append("when " ~ pattern_name ~ " = " ~ sql_string(pattern['name'])
            ~ " then " ~ run_default_literal(pattern['defaults'][field])) -%}
    {%- endfor -%}
    {%- for type_name, type_defaults in defaults.items()
        if type_name != 'all' and field in type_defaults -%}
        {%- do branches.append("when " ~ run_type ~ " = " ~ sql_string(type_name)
            ~ " then " ~ run_default_literal(type_defaults[field])) -%}
    {%- endfor -%}
    {%- if field in defaults.get('all', {}) -%}
        {%- do branches.append("when " ~ run_type ~ " not in ('old', 'other') then "
            ~ run_default_literal(defaults['all'][field])) -%}
    {%- endif -%}
    {%- if branches | length == 0 -%}
        null
    {%- else -%}
        case {{ branches | join(' ') }} end
    {%- endif -%}
{%- endmacro %}

{% macro run_default_literal(value) -%}
    {%- if value is number -%}{{ value }}{%- else -%}{{ sql_string(value) }}{%- endif -%}
{%- endmacro %}

{#- The id_<field> columns: every extracted field, by name, from whichever pattern matched. -#}
{% macro run_id_field_columns() -%}
    {%- for field in run_id_fields() %}
    {{ run_id_field(field) }} as id_{{ field }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
