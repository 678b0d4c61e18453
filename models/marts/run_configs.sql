{{ config(materialized='view') }}
{#- The config document of every run in `runs`, read from the export record `runs` was built
    from. The warehouse does not store config text (22-33 KB a real run, 1.5 GB at 50,000
    runs): this view reads it from the export files when it is queried, matching each
    chosen record by file, run ID and the hash of its config text (config_hash, stored by
    stg_wandb__run_records over the same text). Querying it therefore reads the run exports:
    one column of a Parquet export, every line of a JSON-lines export. The export files
    must still be where the build found them. -#}

with chosen_records as (
    select
        source_file,
        run_id,
        config_hash
    from {{ ref('stg_wandb__runs') }}
),

export_configs as (
    -- the config text exactly as stg_wandb__run_records hashed it
    select
        source_file,
        run_id,
        cast(config as varchar) as config
    from {{ ref('stg_wandb__runs_jsonl') }}
    union all
    select
        source_file,
        run_id,
        config
    from {{ ref('stg_wandb__runs_parquet') }}
),

matched as (
    -- a semi-join: the chosen keys are the hash table, the export records stream past it
    select
        run_id,
        config
    from export_configs
    where (source_file, run_id, hash(config)) in (
            select
                chosen_records.source_file,
                chosen_records.run_id,
                chosen_records.config_hash
            from chosen_records
        )
),

final as (
    -- one row per run: identical copies of a record in one file carry the same config
    select
        run_id,
        any_value(config) as config
    from matched
    group by run_id
)

select * from final
