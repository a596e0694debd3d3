-- The trillion-token club: the first day each model, and each vendor, reached a cumulative-token
-- threshold (counted from the first day it appears in the data held).
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    where not is_other

),

thresholds as (

    select cast(unnest({{ var('milestone_thresholds') }}) as bigint) as threshold_tokens

),

model_cumulative_tokens as (

    select
        'model' as level,
        model_permaslug,
        vendor_slug,
        date,
        min(date) over (partition by model_permaslug) as first_seen_date,
        sum(total_tokens) over (
            partition by model_permaslug
            order by date
            rows between unbounded preceding and current row
        ) as cumulative_tokens
    from daily_tokens

),

vendor_daily_tokens as (

    select
        vendor_slug,
        date,
        sum(total_tokens) as total_tokens
    from daily_tokens
    group by vendor_slug, date

),

vendor_cumulative_tokens as (

    select
        'vendor' as level,
        cast(null as varchar) as model_permaslug,
        vendor_slug,
        date,
        min(date) over (partition by vendor_slug) as first_seen_date,
        sum(total_tokens) over (
            partition by vendor_slug
            order by date
            rows between unbounded preceding and current row
        ) as cumulative_tokens
    from vendor_daily_tokens

),

cumulative_tokens as (

    select * from model_cumulative_tokens
    union all
    select * from vendor_cumulative_tokens

),

crossings as (

    select
        cumulative_tokens.level,
        cumulative_tokens.model_permaslug,
        cumulative_tokens.vendor_slug,
        thresholds.threshold_tokens,
        min(cumulative_tokens.date) as crossed_on,
        min(cumulative_tokens.first_seen_date) as first_seen_date
    from cumulative_tokens
    inner join thresholds
        on cumulative_tokens.cumulative_tokens >= thresholds.threshold_tokens
    group by
        cumulative_tokens.level,
        cumulative_tokens.model_permaslug,
        cumulative_tokens.vendor_slug,
        thresholds.threshold_tokens

)

select
    level,
    model_permaslug,
    vendor_slug,
    threshold_tokens,
    crossed_on,
    first_seen_date,
    cast({{ dbt.datediff('first_seen_date', 'crossed_on', 'day') }} as integer) as days_to_cross
from crossings
