{#- The UTC calendar date of a timestamp with time zone. DuckDB casts in the session's time zone;
    Spark's sessions run in UTC (profiles.yml). -#}
{% macro utc_date(column) -%}
    {{ return(adapter.dispatch('utc_date')(column)) }}
{%- endmacro %}

{% macro default__utc_date(column) -%}
    cast(timezone('UTC', {{ column }}) as date)
{%- endmacro %}

{% macro spark__utc_date(column) -%}
    to_date({{ column }})
{%- endmacro %}
