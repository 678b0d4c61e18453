-- parse_token_count on literal cases; a returned row is a case the macro gets wrong.
with cases (token_text, expected) as (
    values
    ('1M', 1000000),
    ('100Mt', 100000000),
    ('100mt', 100000000),
    ('1B', 1000000000),
    ('2G', 2000000000),
    ('3T', 3000000000000),
    ('10K', 10000),
    ('1.5B', 1500000000),
    ('665127434', 665127434),
    (' 42 ', 42),
    ('garbage', null),
    ('12Q', null),
    ('M1', null),
    ('1MM', null),
    ('', null),
    (null, null)
)

select token_text, expected, {{ parse_token_count('token_text') }} as actual
from cases
where {{ parse_token_count('token_text') }} is distinct from expected
