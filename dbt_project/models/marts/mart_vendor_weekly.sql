{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail'
    )
}}

-- Incremental by ISO week: a run rebuilds the weeks from the first one it touches to the
-- newest (the week before is read for week-over-week growth, not rebuilt).
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

vendor_week_tokens as (

    select
        week_start,
        vendor_slug,
        min(vendor_name) as vendor_name,
        min(country_code) as country_code,
        min(region) as region,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, vendor_slug

),

vendor_weeks_ranked as (

    select
        vendor_week_tokens.*,
        -- The `other` tail is not a vendor: it gets no rank. Ties break by slug.
        case
            when vendor_slug <> 'other' then row_number() over (
                partition by week_start, vendor_slug = 'other'
                order by total_tokens desc, vendor_slug asc
            )
        end as vendor_rank
    from vendor_week_tokens

)

select
    vendor_weeks_ranked.week_start,
    vendor_weeks_ranked.vendor_slug,
    vendor_weeks_ranked.vendor_name,
    vendor_weeks_ranked.country_code,
    vendor_weeks_ranked.region,
    vendor_weeks_ranked.total_tokens,
    cast(vendor_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast(vendor_weeks_ranked.vendor_rank as integer) as vendor_rank,
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct('vendor_weeks_ranked.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    weekly_totals.is_complete_week
from vendor_weeks_ranked
inner join weekly_totals
    on vendor_weeks_ranked.week_start = weekly_totals.week_start
left join vendor_week_tokens as previous_week
    on vendor_weeks_ranked.vendor_slug = previous_week.vendor_slug
    and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'vendor_weeks_ranked.week_start') }} as date)
