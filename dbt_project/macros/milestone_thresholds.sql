{#- The var `milestone_thresholds` as rows of `threshold_tokens` (BIGINT): one select per value,
    which every engine reads (a list literal with unnest is DuckDB's alone). -#}
{% macro milestone_thresholds() -%}
    {%- for threshold in var('milestone_thresholds') %}
    select cast({{ threshold }} as bigint) as threshold_tokens
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
