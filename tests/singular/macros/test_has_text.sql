-- has_text on literal cases: blank, white-space-only and null text have none.
with cases (label, raw_text, expected) as (
    values
    ('empty', '', false),
    ('spaces', '   ', false),
    ('tab and newline', chr(9) || chr(10) || ' ', false),
    ('null', cast(null as varchar), false),
    ('json after spaces', '  {"run_id": "a"}', true),
    ('one character', 'x', true),
    ('trailing spaces', '[1]   ', true)
),

checked as (
    select
        label,
        expected,
        {{ has_text('raw_text') }} as actual
    from cases
)

select * from checked
where actual is distinct from expected
