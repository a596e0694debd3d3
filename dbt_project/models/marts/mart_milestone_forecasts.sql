-- When each model and vendor still active will cross its next cumulative-token milestone, as
-- forecast at the end of every complete week the data holds: a replay of the history, each
-- forecast made from the weeks up to its own (never later data), so that mart_forecast_scores
-- can score the past ones.
-- The trend: a line fitted by least squares (regr_slope, regr_intercept) to the log of the
-- weekly tokens of the last var forecast_fit_weeks complete weeks, in which the subject had
-- tokens every week. Projected weekly tokens exp(a + b j) for the weeks j after, summed onto
-- the cumulative tokens, reach the threshold after n = ln(1 + R (e^b - 1) / (e^a e^b)) / b weeks,
-- R being the tokens still missing (n = R / e^a for a flat trend; never when a declining trend
-- converges short of it). The low and high dates take the slope plus and minus
-- var forecast_interval_t standard errors. Cumulative tokens count from the first day held, as
-- in mart_token_milestones.
{%- set fit_weeks = var('forecast_fit_weeks') %}
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    where not is_other

),

weekly_totals as (

    select * from {{ ref('int_weekly_totals') }}

),

thresholds as (

    {{ milestone_thresholds() }}

),

subject_weeks as (

    select
        'model' as level,
        model_permaslug as subject,
        week_start,
        sum(total_tokens) as total_tokens,
        max(as_of) as as_of
    from daily_tokens
    group by model_permaslug, week_start

    union all

    select
        'vendor' as level,
        vendor_slug as subject,
        week_start,
        sum(total_tokens) as total_tokens,
        max(as_of) as as_of
    from daily_tokens
    group by vendor_slug, week_start

),

subject_weeks_cumulative as (

    select
        subject_weeks.*,
        sum(subject_weeks.total_tokens) over (
            partition by subject_weeks.level, subject_weeks.subject
            order by subject_weeks.week_start
            rows between unbounded preceding and current row
        ) as cumulative_tokens,
        max(subject_weeks.as_of) over (
            partition by subject_weeks.level, subject_weeks.subject
            order by subject_weeks.week_start
            rows between unbounded preceding and current row
        ) as as_of_so_far
    from subject_weeks

),

-- Each complete week a forecast is made at, and the weeks of its fit (x: weeks before it, <= 0).
forecast_weeks as (

    select week_start as forecast_week
    from weekly_totals
    where is_complete_week

),

fit_points as (

    select
        forecast_weeks.forecast_week,
        subject_weeks_cumulative.level,
        subject_weeks_cumulative.subject,
        cast({{ dbt.datediff(
            'forecast_weeks.forecast_week', 'subject_weeks_cumulative.week_start', 'day'
        ) }} / 7 as double) as weeks_from_forecast,
        ln(cast(subject_weeks_cumulative.total_tokens as double)) as log_tokens
    from forecast_weeks
    inner join subject_weeks_cumulative
        on forecast_weeks.forecast_week >= subject_weeks_cumulative.week_start
        and subject_weeks_cumulative.week_start > cast(
            {{ dbt.dateadd('day', '-7 * ' ~ fit_weeks, 'forecast_weeks.forecast_week') }} as date
        )
    inner join weekly_totals
        on subject_weeks_cumulative.week_start = weekly_totals.week_start
    where weekly_totals.is_complete_week
        and subject_weeks_cumulative.total_tokens > 0

),

fits as (

    select
        forecast_week,
        level,
        subject,
        regr_slope(log_tokens, weeks_from_forecast) as slope,
        regr_intercept(log_tokens, weeks_from_forecast) as intercept,
        sqrt(
            greatest(
                regr_syy(log_tokens, weeks_from_forecast)
                - regr_slope(log_tokens, weeks_from_forecast)
                * regr_sxy(log_tokens, weeks_from_forecast),
                0
            ) / ({{ fit_weeks }} - 2) / regr_sxx(log_tokens, weeks_from_forecast)
        ) as slope_standard_error
    from fit_points
    group by forecast_week, level, subject
    having count(*) = {{ fit_weeks }}

),

-- The next threshold above each subject's cumulative tokens at the end of the forecast week.
next_milestones as (

    select
        fits.*,
        subject_weeks_cumulative.cumulative_tokens,
        subject_weeks_cumulative.as_of_so_far as as_of,
        min(thresholds.threshold_tokens) as threshold_tokens
    from fits
    inner join subject_weeks_cumulative
        on fits.level = subject_weeks_cumulative.level
        and fits.subject = subject_weeks_cumulative.subject
        and fits.forecast_week = subject_weeks_cumulative.week_start
    inner join thresholds
        on subject_weeks_cumulative.cumulative_tokens < thresholds.threshold_tokens
    group by
        fits.forecast_week,
        fits.level,
        fits.subject,
        fits.slope,
        fits.intercept,
        fits.slope_standard_error,
        subject_weeks_cumulative.cumulative_tokens,
        subject_weeks_cumulative.as_of_so_far

),

slopes as (

    select
        next_milestones.*,
        cast(next_milestones.threshold_tokens - next_milestones.cumulative_tokens as double)
            / exp(next_milestones.intercept) as weeks_of_current_tokens_missing,
        next_milestones.slope as central_slope,
        next_milestones.slope + {{ var('forecast_interval_t') }}
        * next_milestones.slope_standard_error as fast_slope,
        next_milestones.slope - {{ var('forecast_interval_t') }}
        * next_milestones.slope_standard_error as slow_slope
    from next_milestones

),

-- Weeks until the crossing under each slope (NULL: never).
weeks_to_cross as (

    select
        slopes.*,
        {{ weeks_to_cross('central_slope', 'weeks_of_current_tokens_missing') }} as central_weeks,
        {{ weeks_to_cross('fast_slope', 'weeks_of_current_tokens_missing') }} as fast_weeks,
        {{ weeks_to_cross('slow_slope', 'weeks_of_current_tokens_missing') }} as slow_weeks
    from slopes

)

-- Dates count from the forecast week's last day (Sunday), up to which cumulative tokens are known.
select
    forecast_week,
    as_of,
    level,
    subject,
    cast(threshold_tokens as bigint) as threshold_tokens,
    cast(cumulative_tokens as bigint) as cumulative_tokens,
    cast(floor(exp(intercept) + 0.5) as bigint) as fitted_weekly_tokens,
    (exp(central_slope) - 1) * 100 as fitted_weekly_growth_pct,
    cast({{ dbt.dateadd(
        'day', '6 + cast(ceil(7 * central_weeks) as integer)', 'forecast_week'
    ) }} as date) as projected_date,
    cast({{ dbt.dateadd(
        'day', '6 + cast(ceil(7 * fast_weeks) as integer)', 'forecast_week'
    ) }} as date) as low_date,
    cast({{ dbt.dateadd(
        'day', '6 + cast(ceil(7 * slow_weeks) as integer)', 'forecast_week'
    ) }} as date) as high_date
from weeks_to_cross
where central_weeks <= {{ var('forecast_horizon_weeks') }}
