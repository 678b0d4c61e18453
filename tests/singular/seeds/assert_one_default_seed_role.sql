-- Exactly one seed role is the default: `main` and seedless run IDs resolve to it.
select count(*) as default_roles
from {{ ref('seed_roles') }}
where is_default
having count(*) != 1
