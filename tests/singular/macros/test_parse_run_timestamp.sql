-- parse_run_timestamp on literal cases; a returned row is a case the macro gets wrong.
with cases (timestamp_text, expected) as (
    values
    ('2025_08_21-08_24_43', timestamp '2025-08-21 08:24:43'),
    ('250912-172812', timestamp '2025-09-12 17:28:12'),
    ('991231-235959', timestamp '2099-12-31 23:59:59'),
    ('2025_13_45-10_00_00', null),
    ('251332-000000', null),
    ('2025-08-21 08:24:43', null),
    (null, null)
)

select timestamp_text, expected, {{ parse_run_timestamp('timestamp_text') }} as actual
from cases
where {{ parse_run_timestamp('timestamp_text') }} is distinct from expected
