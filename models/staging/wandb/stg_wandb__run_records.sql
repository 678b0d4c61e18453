{{ config(materialized='table') }}
{#- Every record of every run export, valid or not, in one shape. This is the one staging
    model stored as a table: the raw files are scanned and parsed here once per build, and
    the dedup (stg_wandb__runs), the rejects and the counts all read this table. -#}

with jsonl as (
    select * from {{ ref('stg_wandb__runs_jsonl') }}
),

parquet as (
    select * from {{ ref('stg_wandb__runs_parquet') }}
),

unioned as (
    select * from jsonl
    union all by name
    select * from parquet
),

checked as (
    select
        unioned.*,
        case
            when unioned.export_layout = 'malformed' then 'malformed JSON line'
            when nullif(trim(unioned.run_id), '') is null then 'record has no run_id'
        end as reject_reason,
        coalesce(json_type(unioned.config), 'NULL') = 'OBJECT' as has_config,
        map_from_entries(
            list_filter(
                map_entries(try(from_json(unioned.summary, '"MAP(VARCHAR, JSON)"'))),
                lambda entry: regexp_matches(entry.key, {{ sql_string(var('run_eval_metric_keys')) }})
            )
        ) as summary_eval_metrics
    from unioned
),

usable as (
    select * from checked
    where reject_reason is null
),

ranked as (
    select
        *,
        row_number() over (
            partition by run_id
            order by
                try_cast(summary_last_logged_epoch as double) desc nulls last,
                try_cast(summary_runtime_seconds as double) desc nulls last,
                exported_at desc nulls last,
                source_file desc,
                hash(run_name, state, config, summary) desc
        ) as export_rank,
        count(*) over (partition by run_id) as n_export_records
    from usable
),

final as (
    select * from ranked
    union all by name
    select * from checked
    where reject_reason is not null
)

select * from final
