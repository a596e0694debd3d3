{#- Fails for every row where `expression` is not true (a NULL result fails too). -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
