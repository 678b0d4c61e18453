{{
    config(
        materialized='incremental',
        unique_key=['run_id', 'step'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}
{#- One row per (run_id, step) across all history exports. The same step in several exports
    collapses to one row: the newest export (file modification time, then file name) wins.
    Incremental: a build merges only the records int_wandb__history_records loaded in that
    build, and replaces an existing step only from an export at least as new. -#}

with records as (
    select * from {{ ref('int_wandb__history_records') }}
    where
        reject_reason is null{% if is_incremental() %}
        and _loaded_at > (
            select coalesce(max(loaded._loaded_at), timestamp '1970-01-01') from {{ this }} as loaded
        ){% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by run_id, step
            order by file_modified_at desc, source_file desc, logged_at desc nulls last
        ) as export_rank
    from records
),

candidates as (
    select * from ranked
    where export_rank = 1
),

{%- if is_incremental() %}

existing as (
    select
        run_id,
        step,
        file_modified_at,
        source_file
    from {{ this }}
),

accepted as (
    select candidates.*
    from candidates
    left join existing
        on candidates.run_id = existing.run_id and candidates.step = existing.step
    where
        existing.run_id is null
        or candidates.file_modified_at > existing.file_modified_at
        or (
            candidates.file_modified_at = existing.file_modified_at
            and candidates.source_file >= existing.source_file
        )
),
{%- else %}

accepted as (
    select * from candidates
),
{%- endif %}

final as (
    select
        run_id,
        step,
        logged_at,
        runtime,
        train_loss,
        learning_rate,
        total_tokens,
        metrics,
        extra,
        history_layout,
        source_file,
        file_modified_at,
        _loaded_at
    from accepted
)

select * from final
