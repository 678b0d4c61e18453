{#- Whether a run export file holds several identical copies of a usable record (same file,
    run ID and config hash) among `records` (stg_wandb__run_records): run_configs then needs
    its branch that returns such a record once. True outside execution (the full view). -#}
{% macro run_records_have_copies(records) %}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set copies = run_query(
        "select count(*) from (select 1 from " ~ records
        ~ " where reject_reason is null group by source_file, run_id, config_hash"
        ~ " having count(*) > 1)"
    ) -%}
    {{ return(copies.columns[0].values()[0] > 0) }}
{% endmacro %}
