{#- The model's listed columns hold no nulls: one query for all of them instead of one
    `not_null` test per column (a dbt build runs every test as a node of its own: ~100 such
    nodes were a third of the build's nodes and ~3 s of its fixed cost). Returns one row per
    column that has nulls, with the number of null rows; the failure count is the sum of
    those, as `not_null` counts them. -#}
{% test not_null_columns(model, column_names) %}
    {{ config(fail_calc='coalesce(sum(null_rows), 0)') }}
    with counted as (
        select
        {%- for column_name in column_names %}
            count(*) filter (where {{ adapter.quote(column_name) }} is null)
                as {{ adapter.quote(column_name) }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ model }}
    ),

    per_column as (
        unpivot counted on columns(*) into name column_name value null_rows
    )

    select
        column_name,
        null_rows
    from per_column
    where null_rows > 0
{% endtest %}
