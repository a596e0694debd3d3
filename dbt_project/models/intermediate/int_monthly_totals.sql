-- The platform's tokens per calendar month (UTC), `other` included: the denominator of every
-- monthly share. A month is complete when every one of its days is present.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

monthly_tokens as (

    select
        cast({{ dbt.date_trunc('month', 'date') }} as date) as month_start,
        cast(sum(total_tokens) as bigint) as total_tokens,
        cast(sum(case when is_other then total_tokens else 0 end) as bigint) as other_tokens,
        cast(count(distinct date) as integer) as days_present
    from daily_tokens
    group by 1

)

select
    month_start,
    total_tokens,
    other_tokens,
    days_present,
    cast(
        {{ dbt.datediff('month_start', dbt.dateadd('month', 1, 'month_start'), 'day') }} as integer
    )
        as days_in_month,
    days_present = {{ dbt.datediff('month_start', dbt.dateadd('month', 1, 'month_start'), 'day') }}
        as is_complete_month
from monthly_tokens
