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

country_week_tokens as (

    select
        week_start,
        country_code,
        min(country_name) as country_name,
        min(region) as region,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, country_code

),

country_weeks_ranked as (

    select
        country_week_tokens.*,
        -- `ZZ` (unattributed) is not a country: it gets no rank. Ties break by code.
        case
            when country_code <> 'ZZ' then row_number() over (
                partition by week_start, country_code = 'ZZ'
                order by total_tokens desc, country_code asc
            )
        end as country_rank
    from country_week_tokens

)

select
    country_weeks_ranked.week_start,
    country_weeks_ranked.country_code,
    country_weeks_ranked.country_name,
    country_weeks_ranked.region,
    country_weeks_ranked.total_tokens,
    cast(country_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast(country_weeks_ranked.country_rank as integer) as country_rank,
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct('country_weeks_ranked.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    weekly_totals.is_complete_week
from country_weeks_ranked
inner join weekly_totals
    on country_weeks_ranked.week_start = weekly_totals.week_start
left join country_week_tokens as previous_week
    on country_weeks_ranked.country_code = previous_week.country_code
    and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'country_weeks_ranked.week_start') }} as date)
