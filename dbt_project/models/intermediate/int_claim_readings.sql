-- Every reading of each published claim the warehouse computes, one row per claim, window
-- reading, scope reading and period. A claim's words often fit more than one computation, and
-- the same data gives different numbers under each, so the plausible ones are computed side by
-- side: the window as reported and its alternatives (a month to date also through the day
-- before, since rankings lag a day, and as the whole month; "a week in February" as each ISO
-- week starting in it), and for a share or total the scope as reported and the others (top 5,
-- top 10, every named model) when the scope is a set of top models or a country's models; a
-- figure for the whole platform is read as reported. A growth claim has a second period, its
-- baseline, some weeks before: "over three weeks" is read as three weeks before and, counting
-- the span inclusively, two.
-- A table, not a view: the claims mart reads it several times, and Spark would recompute a
-- view's plan each time.
{{ config(materialized='table') }}

with claims as (

    select * from {{ ref('stg_reference__published_claims') }}

),

calendar as (

    select date_day from {{ ref('metricflow_time_spine') }}

),

window_readings as (

    select
        claim_id,
        'as reported' as window_reading,
        window_start as reading_start,
        window_end as reading_end
    from claims
    where window_kind != 'weeks_in_month'

    union all

    select
        claim_id,
        'through the day before' as window_reading,
        window_start as reading_start,
        cast({{ dbt.dateadd('day', -1, 'window_end') }} as date) as reading_end
    from claims
    where window_kind = 'month_to_date'

    union all

    select
        claim_id,
        'whole month' as window_reading,
        window_start as reading_start,
        cast({{ dbt.last_day('window_start', 'month') }} as date) as reading_end
    from claims
    where window_kind = 'month_to_date'

    union all

    select
        claims.claim_id,
        {{ dbt.concat(["'week of '", "cast(calendar.date_day as " ~ dbt.type_string() ~ ")"]) }}
            as window_reading,
        calendar.date_day as reading_start,
        cast({{ dbt.dateadd('day', 6, 'calendar.date_day') }} as date) as reading_end
    from claims
    inner join calendar
        on calendar.date_day between claims.window_start and claims.window_end
        and cast({{ dbt.date_trunc('week', 'calendar.date_day') }} as date) = calendar.date_day
    where claims.window_kind = 'weeks_in_month'

),

alternative_scopes as (

    select 'top_5' as scope
    union all
    select 'top_10' as scope
    union all
    select 'named' as scope

),

-- One model's tokens or rank do not depend on the scope, and a figure for every token is not
-- ambiguous; a share or total of top models or of a country's models is.
scope_readings as (

    select
        claim_id,
        scope as reading_scope
    from claims
    where subject_kind = 'model' or scope = 'all'

    union all

    select
        claims.claim_id,
        alternative_scopes.scope as reading_scope
    from claims
    cross join alternative_scopes
    where claims.subject_kind != 'model' and claims.scope != 'all'

),

baseline_readings as (

    select
        claim_id,
        baseline_weeks,
        '' as baseline_reading
    from claims

    union all

    select
        claim_id,
        baseline_weeks - 1 as baseline_weeks,
        ', counting the weeks inclusively' as baseline_reading
    from claims
    where baseline_weeks > 1

),

readings as (

    select
        window_readings.claim_id,
        {{ dbt.concat(["window_readings.window_reading", "baseline_readings.baseline_reading"]) }}
            as window_reading,
        scope_readings.reading_scope,
        window_readings.window_reading = 'as reported'
        and baseline_readings.baseline_reading = ''
        and scope_readings.reading_scope = claims.scope as is_reported_reading,
        window_readings.reading_start,
        window_readings.reading_end,
        baseline_readings.baseline_weeks
    from window_readings
    inner join claims
        on window_readings.claim_id = claims.claim_id
    inner join scope_readings
        on window_readings.claim_id = scope_readings.claim_id
    inner join baseline_readings
        on window_readings.claim_id = baseline_readings.claim_id

)

select
    readings.claim_id,
    readings.window_reading,
    readings.reading_scope,
    readings.is_reported_reading,
    readings.reading_start,
    readings.reading_end,
    'measured' as period,
    readings.reading_start as period_start,
    readings.reading_end as period_end
from readings

union all

select
    readings.claim_id,
    readings.window_reading,
    readings.reading_scope,
    readings.is_reported_reading,
    readings.reading_start,
    readings.reading_end,
    'baseline' as period,
    cast({{ dbt.dateadd('day', '-7 * readings.baseline_weeks', 'readings.reading_start') }} as date)
        as period_start,
    cast({{ dbt.dateadd('day', '-7 * readings.baseline_weeks', 'readings.reading_end') }} as date)
        as period_end
from readings
where readings.baseline_weeks is not null
