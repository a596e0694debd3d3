{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail'
    )
}}

-- Incremental by ISO week, like mart_vendor_weekly.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    {% if is_incremental() %}
    where week_start >= {{ week_before_first_rebuilt_week() }}
    {% endif %}

),

weekly_totals as (

    select * from {{ ref('int_weekly_totals') }}
    {% if is_incremental() %}
    where week_start >= {{ first_rebuilt_week() }}
    {% endif %}

),

region_week_tokens as (

    select
        week_start,
        region,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, region

),

region_weeks_ranked as (

    select
        region_week_tokens.*,
        -- Only attributed regions compete for the lead; `Unattributed` gets no rank.
        case
            when region <> 'Unattributed' then row_number() over (
                partition by week_start, region = 'Unattributed'
                order by total_tokens desc, region asc
            )
        end as region_rank
    from region_week_tokens

)

select
    region_weeks_ranked.week_start,
    region_weeks_ranked.region,
    region_weeks_ranked.total_tokens,
    cast(region_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast(region_weeks_ranked.region_rank as integer) as region_rank,
    coalesce(region_weeks_ranked.region_rank = 1, false) as is_leader,
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct('region_weeks_ranked.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    weekly_totals.is_complete_week
from region_weeks_ranked
inner join weekly_totals
    on region_weeks_ranked.week_start = weekly_totals.week_start
left join region_week_tokens as previous_week
    on region_weeks_ranked.region = previous_week.region
    and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'region_weeks_ranked.week_start') }} as date)
