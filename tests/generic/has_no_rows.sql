{#- Returns every row of the model: used with severity warn to list findings (e.g. rejects). -#}
{% test has_no_rows(model) %}
    select * from {{ model }}
{% endtest %}
