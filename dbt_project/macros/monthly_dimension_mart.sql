{#- A monthly mart of one dimension (vendor, country, region): per calendar month (UTC) and
    `key`, the tokens, their share of the month's whole platform (`other` included), a rank, the
    average daily tokens and month-over-month growth.
    Month-over-month growth is defined here once: the growth (macros/growth_pct.sql) of the
    average daily tokens over the month's days with data, against the previous calendar month's.
    An average, so that a 31-day month does not beat a 28-day one by its length, and a month the
    data holds only part of compares by the days it holds (`is_complete_month` says which).
    Rebuilt whole by every run: a month has few rows per key.
    - `name`: names the rank column (`<name>_rank`).
    - `attributes`: columns carried along with the key (one value per key).
    - `unranked`: the key values that are no competitors: they get no rank. Ties break by key. -#}
{% macro monthly_dimension_mart(name, key, unranked, attributes=[]) %}

with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

monthly_totals as (

    select * from {{ ref('int_monthly_totals') }}

),

{{ name }}_month_tokens as (

    select
        cast({{ dbt.date_trunc('month', 'daily_tokens.date') }} as date) as month_start,
        daily_tokens.{{ key }},
        {%- for attribute in attributes %}
        min(daily_tokens.{{ attribute }}) as {{ attribute }},
        {%- endfor %}
        cast(sum(daily_tokens.total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by 1, daily_tokens.{{ key }}

),

{{ name }}_months_averaged as (

    select
        {{ name }}_month_tokens.*,
        cast({{ name }}_month_tokens.total_tokens as double) / monthly_totals.days_present
            as tokens_per_day,
        cast({{ name }}_month_tokens.total_tokens as double) / monthly_totals.total_tokens
            as token_share,
        case
            when {{ name }}_month_tokens.{{ key }} not in {{ sql_list(unranked) }}
                then row_number() over (
                partition by
                    {{ name }}_month_tokens.month_start,
                    {{ name }}_month_tokens.{{ key }} in {{ sql_list(unranked) }}
                order by {{ name }}_month_tokens.total_tokens desc, {{ name }}_month_tokens.{{ key }} asc
            )
        end as {{ name }}_rank,
        monthly_totals.days_present,
        monthly_totals.days_in_month,
        monthly_totals.is_complete_month
    from {{ name }}_month_tokens
    inner join monthly_totals
        on {{ name }}_month_tokens.month_start = monthly_totals.month_start

)

select
    {{ name }}_months_averaged.month_start,
    {{ name }}_months_averaged.{{ key }},
    {%- for attribute in attributes %}
    {{ name }}_months_averaged.{{ attribute }},
    {%- endfor %}
    {{ name }}_months_averaged.total_tokens,
    {{ name }}_months_averaged.token_share,
    cast({{ name }}_months_averaged.{{ name }}_rank as integer) as {{ name }}_rank,
    {{ name }}_months_averaged.tokens_per_day,
    previous_month.tokens_per_day as prev_month_tokens_per_day,
    {{ growth_pct(name ~ '_months_averaged.tokens_per_day', 'previous_month.tokens_per_day') }}
        as mom_growth_pct,
    {{ name }}_months_averaged.days_present,
    {{ name }}_months_averaged.days_in_month,
    {{ name }}_months_averaged.is_complete_month
from {{ name }}_months_averaged
left join {{ name }}_months_averaged as previous_month
    on {{ name }}_months_averaged.{{ key }} = previous_month.{{ key }}
    and previous_month.month_start
        = cast({{ dbt.dateadd('month', -1, name ~ '_months_averaged.month_start') }} as date)

{% endmacro %}
