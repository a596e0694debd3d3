{#- dbt-duckdb's seed loader puts the seed file's path into its COPY statement without escaping
    quotes, so a checkout whose path holds an apostrophe cannot load a seed: the path is written
    here as an escaped literal instead. Its fast path alone: no seed here turns `fast` off. -#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
    {%- set seed_file_path = adapter.get_seed_file_path(model) -%}
    {%- set sql -%}
        copy {{ this.render() }} from '{{ seed_file_path | replace("'", "''") }}'
        (format csv, header true, delimiter '{{ config.get('delimiter', ',') }}')
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {{ return(sql) }}
{% endmacro %}
