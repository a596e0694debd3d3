{#- The vendor of a ranked entry: its permaslug's prefix before `/`, `~` aliases folded
    (`~anthropic/...` is Anthropic's). Staging and the event vintages derive it the same way. -#}
{% macro vendor_slug_of(permaslug) -%}
    regexp_replace(split_part({{ permaslug }}, '/', 1), '^~+', '')
{%- endmacro %}
