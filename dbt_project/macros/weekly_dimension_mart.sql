{#- A weekly mart of one dimension (vendor, country, region): per ISO week and `key`, the tokens,
    their share of the week's whole platform (`other` included), a rank, and week-over-week
    growth against the previous calendar week.
    - `name`: names the rank column (`<name>_rank`).
    - `attributes`: columns carried along with the key (one value per key).
    - `unranked`: the key values that are no competitors (the `other` tail, unattributed and
      undisclosed tokens): they get no rank. Ties break by key.
    - `leader_flag`: add `is_leader`, true for the week's rank 1.
    Incremental by week (the model's `meta.rebuilt_rows`): see weekly_mart_inputs. -#}
{% macro weekly_dimension_mart(name, key, unranked, attributes=[], leader_flag=false) %}

with {{ weekly_mart_inputs(with_previous_week=true) }},

{{ name }}_week_tokens as (

    select
        week_start,
        {{ key }},
        {%- for attribute in attributes %}
        min({{ attribute }}) as {{ attribute }},
        {%- endfor %}
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, {{ key }}

),

{{ name }}_weeks_ranked as (

    select
        {{ name }}_week_tokens.*,
        case
            when {{ key }} not in {{ sql_list(unranked) }} then row_number() over (
                partition by week_start, {{ key }} in {{ sql_list(unranked) }}
                order by total_tokens desc, {{ key }} asc
            )
        end as {{ name }}_rank
    from {{ name }}_week_tokens

)

select
    {{ name }}_weeks_ranked.week_start,
    {{ name }}_weeks_ranked.{{ key }},
    {%- for attribute in attributes %}
    {{ name }}_weeks_ranked.{{ attribute }},
    {%- endfor %}
    {{ name }}_weeks_ranked.total_tokens,
    cast({{ name }}_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast({{ name }}_weeks_ranked.{{ name }}_rank as integer) as {{ name }}_rank,
    {%- if leader_flag %}
    coalesce({{ name }}_weeks_ranked.{{ name }}_rank = 1, false) as is_leader,
    {%- endif %}
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct(name ~ '_weeks_ranked.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    weekly_totals.is_complete_week
from {{ name }}_weeks_ranked
inner join weekly_totals
    on {{ name }}_weeks_ranked.week_start = weekly_totals.week_start
left join {{ name }}_week_tokens as previous_week
    on {{ name }}_weeks_ranked.{{ key }} = previous_week.{{ key }}
    and previous_week.week_start = cast({{ dbt.dateadd('day', -7, name ~ '_weeks_ranked.week_start') }} as date)

{% endmacro %}
