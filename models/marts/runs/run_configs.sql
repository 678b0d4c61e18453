{{ config(materialized=view_unless_lake()) }}
{#- Config text is not stored (22-33 KB a real run, 1.5 GB at 50,000 runs): each chosen record
    is found again by file, run ID and the hash of its config text (config_hash, hashed by
    stg_wandb__run_records over the same text). The text streams through a semi-join: it never
    passes through an aggregate, a sort or a hash table (50,000 configs in one aggregate did
    not fit a 3200MB limit). Only a record that an export file holds several identical copies
    of (a concatenated export) goes through an aggregate, to return it once; that branch is in
    the view only when the build found such copies (the view is made anew by every build): an
    empty branch would still parse one chunk of lines per thread on every query. -#}
{#- the keys (file, run, config hash) that one export file holds more than once: asked at
    build time to shape the view, and read by the view itself -#}
{%- set copied_keys_sql -%}
    select
        source_file,
        run_id,
        config_hash
    from {{ ref('stg_wandb__run_records') }}
    where reject_reason is null
    group by source_file, run_id, config_hash
    having count(*) > 1
{%- endset -%}
{%- set has_copies = query_has_rows(copied_keys_sql) %}

with chosen_keys as (
    select
        source_file,
        run_id,
        config_hash
    from {{ ref('stg_wandb__runs') }}
),

{%- if has_copies %}

copied_keys as (
    {{ copied_keys_sql }}
),
{%- endif %}

single_keys as (
    select
        source_file,
        run_id,
        config_hash
    from chosen_keys
    {%- if has_copies %}
    except
    select
        source_file,
        run_id,
        config_hash
    from copied_keys
    {%- endif %}
),

export_configs as not materialized (
    -- the config text exactly as stg_wandb__run_records hashed it; read once per branch
    -- below (not materialized: the text is never held)
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

single_records as (
    -- semi-joins: the chosen keys are the hash table, the export records stream past it
    select
        run_id,
        config
    from export_configs
    where (source_file, run_id, hash(config)) in (
            select
                single_keys.source_file,
                single_keys.run_id,
                single_keys.config_hash
            from single_keys
        )
),

{%- if has_copies %}

copied_records as (
    select
        run_id,
        any_value(config) as config
    from export_configs
    where (source_file, run_id, hash(config)) in (
            select
                chosen_keys.source_file,
                chosen_keys.run_id,
                chosen_keys.config_hash
            from chosen_keys
            intersect
            select
                copied_keys.source_file,
                copied_keys.run_id,
                copied_keys.config_hash
            from copied_keys
        )
    group by run_id
),
{%- endif %}

final as (
    select
        run_id,
        config
    from single_records
    {%- if has_copies %}
    union all
    select
        run_id,
        config
    from copied_records
    {%- endif %}
)

select * from final
