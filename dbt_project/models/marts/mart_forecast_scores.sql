-- Every past milestone forecast (mart_milestone_forecasts) whose outcome is known, scored: its
-- milestone was crossed (mart_token_milestones), or its window passed (the data holds days after
-- its high date, or after its horizon when no slow trend reaches it) without a crossing.
-- Outcome: `hit` (crossed within var forecast_hit_days of the projected date), `early`, `late`,
-- or `missed` (not crossed by the window's end); interval_covered says whether the crossing fell
-- between the low and high dates.
with forecasts as (

    select * from {{ ref('mart_milestone_forecasts') }}

),

milestones as (

    select * from {{ ref('mart_token_milestones') }}

),

data_bounds as (

    select max(date) as last_date
    from {{ ref('fct_model_daily_tokens') }}

),

forecasts_with_outcomes as (

    select
        forecasts.*,
        milestones.crossed_on,
        coalesce(
            forecasts.high_date,
            cast({{ dbt.dateadd(
                'day', '7 * ' ~ var('forecast_horizon_weeks') ~ ' + 6', 'forecasts.forecast_week'
            ) }} as date)
        ) as window_end,
        data_bounds.last_date
    from forecasts
    cross join data_bounds
    left join milestones
        on forecasts.level = milestones.level
        and forecasts.subject = case
            when milestones.level = 'model' then milestones.model_permaslug
            else milestones.vendor_slug
        end
        and forecasts.threshold_tokens = milestones.threshold_tokens

)

select
    forecast_week,
    as_of,
    level,
    subject,
    threshold_tokens,
    projected_date,
    low_date,
    high_date,
    crossed_on,
    cast({{ dbt.datediff('projected_date', 'crossed_on', 'day') }} as integer) as error_days,
    case
        when crossed_on is null then 'missed'
        when abs({{ dbt.datediff('projected_date', 'crossed_on', 'day') }})
            <= {{ var('forecast_hit_days') }} then 'hit'
        when crossed_on < projected_date then 'early'
        else 'late'
    end as outcome,
    crossed_on is not null
    and crossed_on >= low_date
    and (high_date is null or crossed_on <= high_date) as interval_covered
from forecasts_with_outcomes
where crossed_on is not null or last_date > window_end
