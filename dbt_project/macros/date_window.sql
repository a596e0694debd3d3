{#- The data dates a run rebuilds: vars min_date / max_date (Dagster passes the run's partitions;
    the defaults in dbt_project.yml cover every date). -#}
{% macro in_date_window(column) -%}
    {{ column }} between cast('{{ var("min_date") }}' as date) and cast('{{ var("max_date") }}' as date)
{%- endmacro %}

{#- The first ISO week an incremental run rebuilds: the week of min_date. Weekly marts and
    milestones are rebuilt from that week to the newest one, since a changed week moves the
    next week's growth and every later cumulative figure. -#}
{% macro first_rebuilt_week() -%}
    cast(date_trunc('week', cast('{{ var("min_date") }}' as date)) as date)
{%- endmacro %}

{#- The week before the first rebuilt week: read, not rebuilt, for week-over-week figures. -#}
{% macro week_before_first_rebuilt_week() -%}
    cast({{ dbt.dateadd('day', -7, first_rebuilt_week()) }} as date)
{%- endmacro %}
