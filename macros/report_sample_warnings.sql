{#- on-run-end: a build of the shipped sample says, in one line, that its warnings are planted:
    the sample holds bad inputs on purpose, to show how rejects and data-quality tests work. -#}
{% macro report_sample_warnings() %}
    {%- if execute and flags.WHICH in ['build', 'test'] and data_dir() == resolved_path('sample_data') -%}
        {{ log(
            'dr_ingest: this is the shipped sample, which holds bad inputs on purpose: the warnings'
            ~ ' of its data-quality tests (dq_*) and of ingest_rejects are expected; see'
            ~ ' `select * from ingest_rejects`',
            info=True
        ) }}
    {%- endif -%}
    select 1
{% endmacro %}
