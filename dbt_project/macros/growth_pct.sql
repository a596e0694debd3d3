{#- Week-over-week growth in percent; NULL (not 0, not infinity) when the previous week is
    missing or zero. A double on every engine: `* 100.0` would make a decimal on Spark. -#}
{% macro growth_pct(current, previous) -%}
    case
        when {{ previous }} > 0
            then cast(({{ current }} - {{ previous }}) * 100 as double) / {{ previous }}
    end
{%- endmacro %}
