{#- Incremental loading by file. A "files" model lists the input files with (source_file,
    file_size, file_modified_at), from file metadata only. -#}

{#- SQL list literal of the files to (re)load into the current incremental model: all of
    them on a full build; otherwise those whose (path, size, modification time) is not in the
    model yet. Logs how many. -#}
{% macro files_to_load(files_relation) %}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set files_sql -%}
        select files.source_file
        from {{ files_relation }} as files
        {%- if is_incremental() %}
        where not exists (
            select 1
            from (select distinct source_file, file_size, file_modified_at from {{ this }}) as loaded
            where
                loaded.source_file = files.source_file
                and loaded.file_size = files.file_size
                and loaded.file_modified_at = files.file_modified_at
        )
        {%- endif %}
        order by files.source_file
    {%- endset -%}
    {%- set paths = run_query(files_sql).columns[0].values() -%}
    {{ log('dr_ingest: ' ~ this.identifier ~ ' files to load: ' ~ (paths | length), info=True) }}
    {%- if paths | length == 0 -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in paths -%}{%- do quoted.append(sql_string(path)) -%}{%- endfor -%}
    {{ return(quoted | join(', ')) }}
{% endmacro %}

{#- post-hook of a by-file incremental model: forget the records of files that are gone. -#}
{% macro forget_deleted_files(files_relation) %}
    delete from {{ this }}
    where source_file not in (select files.source_file from {{ files_relation }} as files)
{% endmacro %}
