{#- The lake as the sources name it. DuckDB reads the Parquet files through each source's
    external_location and needs nothing here; Spark gets a view per source over the same folder
    (the hive partitions `date=...` become the `date` column). -#}
{% macro create_lake_views() -%}
    {{ return(adapter.dispatch('create_lake_views')()) }}
{%- endmacro %}

{% macro default__create_lake_views() -%}
{%- endmacro %}

{% macro spark__create_lake_views() -%}
    {%- set lake = var('data_dir', env_var('PIPELINE_DATA_DIR', '../data')) ~ '/lake/raw/' -%}
    {%- do adapter.execute('create schema if not exists openrouter') -%}
    {%- for table, folder in [
        ('raw_rankings_daily', 'rankings_daily'),
        ('raw_models_catalog', 'models_catalog'),
    ] -%}
        {%- do adapter.execute(
            'create or replace view openrouter.' ~ table
            ~ ' as select * from parquet.`' ~ lake ~ folder ~ '`'
        ) -%}
    {%- endfor -%}
{%- endmacro %}
