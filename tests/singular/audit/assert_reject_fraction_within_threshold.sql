{{ config(severity='error') }}
{#- Bad input is tolerated up to var('max_reject_fraction') of a source's records; above it
    the build fails, naming the source. -#}

with rejects as (
    select
        source_name,
        count(*) as records_dropped
    from {{ ref('ingest_rejects') }}
    where action = 'dropped'
    group by source_name
),

reads as (
    select
        source_name,
        sum(records_read) as records_read
    from {{ ref('ingest_source_counts') }}
    group by source_name
)

select
    reads.source_name,
    reads.records_read,
    rejects.records_dropped,
    rejects.records_dropped / reads.records_read as dropped_fraction
from reads
inner join rejects on reads.source_name = rejects.source_name
where rejects.records_dropped > {{ var('max_reject_fraction') }} * reads.records_read
