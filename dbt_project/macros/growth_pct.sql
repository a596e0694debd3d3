{#- Week-over-week growth in percent; NULL (not 0, not infinity) when the previous week is
    missing or zero. -#}
{% macro growth_pct(current, previous) -%}
    case when {{ previous }} > 0 then ({{ current }} - {{ previous }}) * 100.0 / {{ previous }} end
{%- endmacro %}
