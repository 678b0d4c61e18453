{#- The checkpoint vocabulary shared by every fact about a pretrained checkpoint. -#}

{#- The key of a pretrained checkpoint: `<recipe>|<params>|<seed role>|<step>`, e.g.
    `Dolma1.7|150M|small aux 3|6250`, in the canonical spellings; null when a part is unknown.
    Built from the values (no lookup), so a fact computes it without reading the
    `checkpoints` dimension that is made from the facts' sources. -#}
{% macro checkpoint_id(recipe, params, seed_role, step) -%}
    case
        when
            {{ recipe }} is not null and {{ params }} is not null
            and {{ seed_role }} is not null and {{ step }} is not null
            then {{ recipe }} || '|' || {{ params }} || '|' || {{ seed_role }} || '|' || cast({{ step }} as varchar)
    end
{%- endmacro %}

{#- A source's own seed number -> the seed role (seed seed_roles): `numbering` names the
    seed's column there, `seed_index` (run IDs, full_eval) or `qa_folder_seed` (QA tarball
    folders `seed-<N>`). Null for a number no role has. -#}
{% macro seed_role_of(expression, numbering) -%}
    (
        select any_value(seed_roles.seed_role)
        from {{ ref('seed_roles') }} as seed_roles
        where seed_roles.{{ numbering }} = {{ expression }}
    )
{%- endmacro %}
