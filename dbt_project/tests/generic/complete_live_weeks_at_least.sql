{#- Fails for every complete week (all 7 days) of live data whose `column_name` is below
    `min_value`: a lower platform total means days or rows are missing. Weeks holding any sample
    row are not held to it. `daily_tokens` tells each week's source. -#}
{% test complete_live_weeks_at_least(model, column_name, min_value, daily_tokens) %}

with weekly as (

    select * from {{ model }}

),

live_weeks as (

    select week_start
    from {{ daily_tokens }}
    where week_start >= {{ first_rebuilt_week() }}
    group by week_start
    having bool_and(source <> 'sample')

)

select weekly.week_start, weekly.{{ column_name }}
from weekly
inner join live_weeks
    on weekly.week_start = live_weeks.week_start
where weekly.is_complete_week
    and weekly.{{ column_name }} < {{ min_value }}

{% endtest %}
