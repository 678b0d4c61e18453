-- epoch_or_iso_timestamp on literal cases, as text and (epoch) as numbers; a returned row is
-- a case the macro gets wrong. 1755615516.494104 is 2025-08-19 14:58:36.494104 UTC.
with text_cases (timestamp_value, expected) as (
    values
    ('1755615516.494104', timestamp '2025-08-19 14:58:36.494104'),
    ('0', timestamp '1970-01-01 00:00:00'),
    ('-1.5', timestamp '1969-12-31 23:59:58.5'),
    ('2025-08-19T16:58:36+02:00', timestamp '2025-08-19 14:58:36'),
    ('2025-08-19T14:58:36.5Z', timestamp '2025-08-19 14:58:36.5'),
    ('2025-08-19 14:58:36', timestamp '2025-08-19 14:58:36'),
    ('2025-08-19T14:58:36', timestamp '2025-08-19 14:58:36'),
    ('NaN', null),
    ('Infinity', null),
    ('-infinity', null),
    ('1e300', null),
    ('yesterday', null),
    (null, null)
),

number_cases (timestamp_value, expected) as (
    values
    (1755615516.494104::double, timestamp '2025-08-19 14:58:36.494104'),
    (1757756125.2670865::double, timestamp '2025-09-13 09:35:25.267086'),
    ('NaN'::double, null)
),

wrong as (
    select
        timestamp_value,
        expected,
        {{ epoch_or_iso_timestamp('timestamp_value') }} as actual
    from text_cases
    union all
    select
        cast(timestamp_value as varchar),
        expected,
        {{ epoch_or_iso_timestamp('timestamp_value') }}
    from number_cases
)

select * from wrong
where actual is distinct from expected
