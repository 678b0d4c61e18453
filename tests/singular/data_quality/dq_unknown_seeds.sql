{{ config(severity='warn') }}
-- Seeds that no row of the seed seed_roles knows (a full_eval `seed`, a QA folder `seed-<N>`
-- or a run ID's seed index): their checkpoints have no seed role.
select
    source_name,
    recipe,
    params,
    source_seed,
    step
from {{ ref('int_checkpoints__sightings') }}
where seed_role is null and source_seed is not null
