-- The platform's tokens per ISO week (Monday, UTC), `other` included: the denominator of every
-- weekly share. A week is complete when all 7 of its days are present.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

)

select
    week_start,
    cast(sum(total_tokens) as bigint) as total_tokens,
    cast(sum(case when is_other then total_tokens else 0 end) as bigint) as other_tokens,
    count(distinct date) as days_present,
    count(distinct date) = 7 as is_complete_week
from daily_tokens
group by week_start
