{#- The data-date window an incremental run rebuilds (vars min_date / max_date from Dagster). -#}
{% macro in_date_window(column) -%}
    {%- if var('min_date') and var('max_date') -%}
        {{ column }} between cast('{{ var("min_date") }}' as date) and cast('{{ var("max_date") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
