{#- The raw lake's folder (the sources' external_location says the same in YAML, where macros
    are not available). -#}
{% macro lake_dir() -%}
    {{ return(var('data_dir', env_var('PIPELINE_DATA_DIR', '../data')) ~ '/lake/raw/') }}
{%- endmacro %}

{#- The lake as the sources name it. DuckDB reads the Parquet files through each source's
    external_location and needs nothing here. Spark copies each source's folder into one Parquet
    table at the start of a run: a view over the folder would list and open every file again for
    every query, which at a million rows (about 20k files) costs some 25 s a query, against
    about 1 s once copied (docs/scale-out.md). The copy is whole each run, so it can never keep
    a snapshot that was retracted from the lake. The hive partitions `date=...` become the
    `date` column. -#}
{% macro load_lake_sources() -%}
    {{ return(adapter.dispatch('load_lake_sources')()) }}
{%- endmacro %}

{% macro default__load_lake_sources() -%}
{%- endmacro %}

{% macro spark__load_lake_sources() -%}
    {%- set lake = lake_dir() -%}
    {%- do adapter.execute('create schema if not exists openrouter') -%}
    {#- Files written before a column was added lack it: read every file's columns. -#}
    {%- do adapter.execute('set spark.sql.parquet.mergeSchema=true') -%}
    {%- for table, folder in [
        ('raw_rankings_daily', 'rankings_daily'),
        ('raw_models_catalog', 'models_catalog'),
    ] -%}
        {#- Spark's session catalog cannot replace a Parquet table in one statement. -#}
        {%- set previous = adapter.get_relation(
            database=none, schema='openrouter', identifier=table
        ) -%}
        {%- if previous is not none -%}
            {%- do adapter.drop_relation(previous) -%}
        {%- endif -%}
        {%- do adapter.execute(
            'create table openrouter.' ~ table ~ ' using parquet'
            ~ ' as select * from parquet.`' ~ lake ~ folder ~ '`'
        ) -%}
    {%- endfor -%}
{%- endmacro %}

{#- The rankings lake as the staging models read it: on DuckDB, a run over some dates reads only
    the `date=` folders of its weeks (the window's rankings_lake_partitions), as listing every
    folder of a long history costs seconds a query. The folders are known only when dbt executes
    (macros/run_window.sql), so they narrow the source here, not in its external_location, whose
    read_parquet options these repeat. -#}
{% macro rankings_daily_lake(source_relation) -%}
    {{ return(adapter.dispatch('rankings_daily_lake')(source_relation)) }}
{%- endmacro %}

{% macro default__rankings_daily_lake(source_relation) -%}
    {{ return(source_relation) }}
{%- endmacro %}

{% macro duckdb__rankings_daily_lake(source_relation) -%}
    {%- set partitions = run_window_value('rankings_lake_partitions') -%}
    {#- A unit test's source is its fixture, whatever the window. -#}
    {%- if not partitions or model.resource_type == 'unit_test' -%}
        {{ return(source_relation) }}
    {%- endif -%}
    {%- set folder = lake_dir() ~ 'rankings_daily/' -%}
    read_parquet([
    {%- for partition in partitions -%}
        '{{ (folder ~ partition) | replace("'", "''") }}/*.parquet'{{ ', ' if not loop.last }}
    {%- endfor -%}
    ], hive_partitioning = true, union_by_name = true)
{%- endmacro %}
