{#- on-run-start: fail at once, in one line, when the data root is missing or empty
    (symlinked files and folders count). -#}
{% macro check_data_dir() %}
    {%- if execute -%}
        {%- set data_dir = data_dir() -%}
        {%- set found = data_file_list(data_dir ~ '/**') -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "no input files under '" ~ data_dir ~ "': set DR_INGEST_DATA_DIR to an existing "
                ~ "data folder (with wandb/, pretrain/, qa/)"
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
