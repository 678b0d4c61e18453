{#- Reconciliation ("nothing lost"): fails when the model's row count differs from
    `compare_expression` (default count(*)) over `compare_model` filtered by `compare_where`. -#}
{% test row_count_equals(model, compare_model, compare_expression='count(*)', compare_where='true') %}
    with actual as (
        select count(*) as row_count from {{ model }}
    ),

    expected as (
        select {{ compare_expression }} as row_count
        from {{ compare_model }}
        where {{ compare_where }}
    )

    select
        actual.row_count as actual_rows,
        expected.row_count as expected_rows
    from actual
    cross join expected
    where actual.row_count != expected.row_count
{% endtest %}
