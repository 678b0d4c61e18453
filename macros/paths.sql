{#- Configured paths. Every relative path (the data root, the warehouse file, the QA work
    folder) is resolved once against the folder dbt runs in, by the same function the QA
    hook uses (python_hooks/paths.py), so the SQL readers and the hook name a file alike. -#}

{#- `path` made absolute and normalised (the plugin function dr_ingest_abspath); unchanged
    outside execution (parsing needs no file). -#}
{% macro resolved_path(path) %}
    {%- if not execute -%}
        {{ return(path) }}
    {%- endif -%}
    {%- set rows = run_query('select dr_ingest_abspath(' ~ sql_string(path) ~ ')') -%}
    {{ return(rows.columns[0].values()[0]) }}
{% endmacro %}

{#- The data root: var('data_dir'), else DR_INGEST_DATA_DIR, else the shipped sample. -#}
{% macro data_dir() %}
    {{ return(resolved_path(var('data_dir', env_var('DR_INGEST_DATA_DIR', 'sample_data')))) }}
{% endmacro %}
