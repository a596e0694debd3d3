-- Events of single complete days, in each vintage of the figures (int_daily_tokens_by_vintage):
-- - `entered_daily_top_n`: a model in the day's top N (var event_top_n) that was not the day
--   before;
-- - `undisclosed_share`: an undisclosed (stealth, cloaked) model's share of the day's tokens
--   reaching var event_undisclosed_share, from below it the day before;
-- - `model_milestone`, `vendor_milestone`: cumulative tokens, counted from the first day held,
--   reaching a threshold of var milestone_thresholds.
-- A day-on-day event needs the day before held: the first day held raises none.
-- A table, not a view: the models after it read it several times, and Spark would recompute
-- a view's plan each time.
{{ config(materialized='table') }}

with daily_tokens as (

    select * from {{ ref('int_daily_tokens_by_vintage') }}

),

thresholds as (

    {{ milestone_thresholds() }}

),

day_totals as (

    select
        vintage,
        date,
        sum(total_tokens) as day_tokens
    from daily_tokens
    group by vintage, date

),

named_days_ranked as (

    select
        daily_tokens.*,
        row_number() over (
            partition by daily_tokens.vintage, daily_tokens.date
            order by daily_tokens.total_tokens desc, daily_tokens.model_permaslug asc
        ) as day_rank,
        cast(daily_tokens.total_tokens as double) / day_totals.day_tokens as day_share
    from daily_tokens
    inner join day_totals
        on daily_tokens.vintage = day_totals.vintage
        and daily_tokens.date = day_totals.date
    where not daily_tokens.is_other

),

days_with_previous_day as (

    select
        today.*,
        yesterday.day_rank as previous_day_rank,
        coalesce(yesterday.day_share, 0) as previous_day_share
    from named_days_ranked as today
    inner join day_totals as previous_day
        on today.vintage = previous_day.vintage
        and previous_day.date = cast({{ dbt.dateadd('day', -1, 'today.date') }} as date)
    left join named_days_ranked as yesterday
        on today.vintage = yesterday.vintage
        and today.model_permaslug = yesterday.model_permaslug
        and previous_day.date = yesterday.date

),

entered_top_n as (

    select
        vintage,
        'entered_daily_top_n' as event_kind,
        date as event_date,
        'model' as subject_kind,
        model_permaslug as subject,
        model_name as subject_name,
        cast(null as {{ dbt.type_string() }}) as other_subject,
        cast(null as {{ dbt.type_string() }}) as other_subject_name,
        'daily_rank' as measure,
        cast(day_rank as double) as measured_value,
        cast({{ var('event_top_n') }} as double) as threshold,
        '' as key_detail,
        as_of
    from days_with_previous_day
    where day_rank <= {{ var('event_top_n') }}
        and coalesce(previous_day_rank, {{ var('event_top_n') }} + 1) > {{ var('event_top_n') }}

),

undisclosed_share as (

    select
        vintage,
        'undisclosed_share' as event_kind,
        date as event_date,
        'model' as subject_kind,
        model_permaslug as subject,
        model_name as subject_name,
        cast(null as {{ dbt.type_string() }}) as other_subject,
        cast(null as {{ dbt.type_string() }}) as other_subject_name,
        'daily_share' as measure,
        day_share as measured_value,
        cast({{ var('event_undisclosed_share') }} as double) as threshold,
        '' as key_detail,
        as_of
    from days_with_previous_day
    where region = 'Undisclosed'
        and day_share >= {{ var('event_undisclosed_share') }}
        and previous_day_share < {{ var('event_undisclosed_share') }}

),

entity_daily_tokens as (

    select
        vintage,
        'model' as subject_kind,
        model_permaslug as subject,
        min(model_name) as subject_name,
        date,
        sum(total_tokens) as total_tokens,
        max(as_of) as as_of
    from daily_tokens
    where not is_other
    group by vintage, model_permaslug, date

    union all

    select
        vintage,
        'vendor' as subject_kind,
        vendor_slug as subject,
        min(vendor_name) as subject_name,
        date,
        sum(total_tokens) as total_tokens,
        max(as_of) as as_of
    from daily_tokens
    where not is_other
    group by vintage, vendor_slug, date

),

cumulative_tokens as (

    select
        entity_daily_tokens.*,
        sum(entity_daily_tokens.total_tokens) over (
            partition by
                entity_daily_tokens.vintage,
                entity_daily_tokens.subject_kind,
                entity_daily_tokens.subject
            order by entity_daily_tokens.date
            rows between unbounded preceding and current row
        ) as cumulative_tokens
    from entity_daily_tokens

),

crossing_days as (

    select
        cumulative_tokens.vintage,
        cumulative_tokens.subject_kind,
        cumulative_tokens.subject,
        thresholds.threshold_tokens,
        min(cumulative_tokens.date) as crossed_on
    from cumulative_tokens
    inner join thresholds
        on cumulative_tokens.cumulative_tokens >= thresholds.threshold_tokens
    group by
        cumulative_tokens.vintage,
        cumulative_tokens.subject_kind,
        cumulative_tokens.subject,
        thresholds.threshold_tokens

),

milestones as (

    select
        cumulative_tokens.vintage,
        {{ dbt.concat(["cumulative_tokens.subject_kind", "'_milestone'"]) }} as event_kind,
        cumulative_tokens.date as event_date,
        cumulative_tokens.subject_kind,
        cumulative_tokens.subject,
        cumulative_tokens.subject_name,
        cast(null as {{ dbt.type_string() }}) as other_subject,
        cast(null as {{ dbt.type_string() }}) as other_subject_name,
        'cumulative_tokens' as measure,
        cast(cumulative_tokens.cumulative_tokens as double) as measured_value,
        cast(crossing_days.threshold_tokens as double) as threshold,
        cast(crossing_days.threshold_tokens as {{ dbt.type_string() }}) as key_detail,
        cumulative_tokens.as_of
    from crossing_days
    inner join cumulative_tokens
        on crossing_days.vintage = cumulative_tokens.vintage
        and crossing_days.subject_kind = cumulative_tokens.subject_kind
        and crossing_days.subject = cumulative_tokens.subject
        and crossing_days.crossed_on = cumulative_tokens.date

)

select * from entered_top_n
union all
select * from undisclosed_share
union all
select * from milestones
