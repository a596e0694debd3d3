{#- Fails for every period whose total of `column_name` in the model differs from the daily
    fact's total for that period (`period`: `week` or `month`, starting on `period_column`).
    Exact integers, no tolerance. -#}
{% test totals_match_daily_fact(model, column_name, period_column, period) %}

with model_totals as (

    select
        {{ period_column }} as period_start,
        sum({{ column_name }}) as model_tokens
    from {{ model }}
    group by {{ period_column }}

),

fact_totals as (

    select
        cast({{ dbt.date_trunc(period, 'date') }} as date) as period_start,
        sum(total_tokens) as fact_tokens
    from {{ ref('fct_model_daily_tokens') }}
    group by 1

)

select
    coalesce(model_totals.period_start, fact_totals.period_start) as period_start,
    model_totals.model_tokens,
    fact_totals.fact_tokens
from model_totals
full outer join fact_totals
    on model_totals.period_start = fact_totals.period_start
where model_totals.model_tokens is null
    or fact_totals.fact_tokens is null
    or model_totals.model_tokens <> fact_totals.fact_tokens

{% endtest %}
