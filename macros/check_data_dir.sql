{#- on-run-start: fail at once, in one line, when the data root is missing or empty. -#}
{% macro check_data_dir() %}
    {%- if execute -%}
        {%- set data_dir = var('data_dir', env_var('DR_INGEST_DATA_DIR', 'sample_data')) -%}
        {%- set found = run_query(
            "select count(*) from glob(" ~ sql_string(data_dir ~ '/**') ~ ")"
        ).columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {{ exceptions.raise_compiler_error(
                "no input files under '" ~ data_dir ~ "': set DR_INGEST_DATA_DIR to an existing "
                ~ "data folder (with wandb/, pretrain/, qa/)"
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
