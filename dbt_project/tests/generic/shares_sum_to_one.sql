{#- Fails for every week whose shares do not add up to 1 (the week's total, `other` included). -#}
{% test shares_sum_to_one(model, column_name, group_by='week_start', tolerance=1e-9) %}

select
    {{ group_by }},
    sum({{ column_name }}) as share_sum
from {{ model }}
group by {{ group_by }}
having abs(sum({{ column_name }}) - 1) > {{ tolerance }}

{% endtest %}
