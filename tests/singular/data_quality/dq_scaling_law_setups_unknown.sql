{{ config(severity='warn') }}
{#- Setup strings of the scaling-law fits that the grammar (var('scaling_law_setup_regex'))
    does not know: their rows are kept, with null parsed columns. -#}
select
    setup,
    count(*) as fits
from {{ ref('scaling_law_fits') }}
where fit_form is null
group by setup
