{#- The data dates a run rebuilds: vars min_date / max_date (Dagster passes the run's partitions;
    the defaults in dbt_project.yml cover every date). -#}
{% macro in_date_window(column) -%}
    {{ column }} between cast('{{ var("min_date") }}' as date) and cast('{{ var("max_date") }}' as date)
{%- endmacro %}
