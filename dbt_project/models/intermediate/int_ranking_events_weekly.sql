-- Events of complete ISO weeks, in each vintage of the figures (int_subject_weeks_by_vintage),
-- each against the week before (which must be complete too):
-- - `entered_weekly_top_n`: a model in the week's top N (var event_top_n) that was not before;
-- - `model_overtook`, `vendor_overtook`: one of the week's top M (var event_overtake_top_n)
--   ranked above another of them that ranked above it the week before;
-- - `region_overtook`: the same for attributed regions (China and the United States, ...);
-- - `weekly_surge`, `weekly_drop`: a top-N model's week-on-week change beyond a robust
--   threshold. The change is the log ratio of its tokens; it is an outlier when its modified
--   z-score, 0.6745 (change - median) / MAD, is beyond var event_mad_threshold, the median and
--   the median absolute deviation (MAD) being those of every top-N model's change over the
--   var event_mad_weeks weeks before (at least var event_mad_min_changes of them). The threshold
--   column gives the growth in percent that the score's bound corresponds to.
-- A table, not a view: the models after it read it several times, and Spark would recompute
-- a view's plan each time.
{{ config(materialized='table') }}

with subject_weeks as (

    select * from {{ ref('int_subject_weeks_by_vintage') }}

),

complete_weeks as (

    select distinct
        vintage,
        week_start
    from subject_weeks

),

subject_weeks_ranked as (

    select
        subject_weeks.*,
        row_number() over (
            partition by subject_weeks.vintage, subject_weeks.week_start, subject_weeks.subject_kind
            order by subject_weeks.total_tokens desc, subject_weeks.subject asc
        ) as week_rank
    from subject_weeks

),

-- Each subject's week with its previous week's figures, where the previous week is complete.
subject_weeks_compared as (

    select
        this_week.*,
        last_week.week_rank as previous_week_rank,
        last_week.total_tokens as previous_week_tokens
    from subject_weeks_ranked as this_week
    inner join complete_weeks as previous_complete_week
        on this_week.vintage = previous_complete_week.vintage
        and previous_complete_week.week_start
        = cast({{ dbt.dateadd('day', -7, 'this_week.week_start') }} as date)
    left join subject_weeks_ranked as last_week
        on this_week.vintage = last_week.vintage
        and this_week.subject_kind = last_week.subject_kind
        and this_week.subject = last_week.subject
        and previous_complete_week.week_start = last_week.week_start

),

entered_top_n as (

    select
        vintage,
        'entered_weekly_top_n' as event_kind,
        week_start as event_date,
        subject_kind,
        subject,
        subject_name,
        cast(null as {{ dbt.type_string() }}) as other_subject,
        cast(null as {{ dbt.type_string() }}) as other_subject_name,
        'weekly_rank' as measure,
        cast(week_rank as double) as measured_value,
        cast({{ var('event_top_n') }} as double) as threshold,
        '' as key_detail,
        as_of
    from subject_weeks_compared
    where subject_kind = 'model'
        and week_rank <= {{ var('event_top_n') }}
        and coalesce(previous_week_rank, {{ var('event_top_n') }} + 1) > {{ var('event_top_n') }}

),

overtakes as (

    select
        climber.vintage,
        {{ dbt.concat(["climber.subject_kind", "'_overtook'"]) }} as event_kind,
        climber.week_start as event_date,
        climber.subject_kind,
        climber.subject,
        climber.subject_name,
        overtaken.subject as other_subject,
        overtaken.subject_name as other_subject_name,
        'weekly_rank' as measure,
        cast(climber.week_rank as double) as measured_value,
        cast(overtaken.week_rank as double) as threshold,
        '' as key_detail,
        climber.as_of
    from subject_weeks_compared as climber
    inner join subject_weeks_compared as overtaken
        on climber.vintage = overtaken.vintage
        and climber.week_start = overtaken.week_start
        and climber.subject_kind = overtaken.subject_kind
        and climber.week_rank < overtaken.week_rank
        and climber.previous_week_rank > overtaken.previous_week_rank
    where climber.subject_kind = 'region'
        or overtaken.week_rank <= {{ var('event_overtake_top_n') }}

),

-- Week-on-week log changes of the models in the top N either week.
model_changes as (

    select
        vintage,
        week_start,
        subject,
        subject_name,
        total_tokens,
        previous_week_tokens,
        ln(cast(total_tokens as double) / previous_week_tokens) as log_change,
        as_of
    from subject_weeks_compared
    where subject_kind = 'model'
        and previous_week_tokens > 0
        and total_tokens > 0
        and (
            week_rank <= {{ var('event_top_n') }} or previous_week_rank <= {{ var('event_top_n') }}
        )

),

change_weeks as (

    select distinct
        vintage,
        week_start
    from model_changes

),

-- For each week, the changes of the weeks before it that its threshold is drawn from.
reference_changes as (

    select
        change_weeks.vintage,
        change_weeks.week_start,
        earlier.log_change
    from change_weeks
    inner join model_changes as earlier
        on change_weeks.vintage = earlier.vintage
        and change_weeks.week_start > earlier.week_start
        and earlier.week_start >= cast({{ dbt.dateadd(
            'day', '-7 * ' ~ var('event_mad_weeks'), 'change_weeks.week_start'
        ) }} as date)

),

reference_medians as (

    select
        vintage,
        week_start,
        median(log_change) as median_change,
        count(*) as changes
    from reference_changes
    group by vintage, week_start

),

reference_spreads as (

    select
        reference_medians.vintage,
        reference_medians.week_start,
        reference_medians.median_change,
        reference_medians.changes,
        median(abs(reference_changes.log_change - reference_medians.median_change))
            as median_absolute_deviation
    from reference_medians
    inner join reference_changes
        on reference_medians.vintage = reference_changes.vintage
        and reference_medians.week_start = reference_changes.week_start
    group by
        reference_medians.vintage,
        reference_medians.week_start,
        reference_medians.median_change,
        reference_medians.changes

),

scored_changes as (

    select
        model_changes.*,
        reference_spreads.median_change,
        reference_spreads.median_absolute_deviation,
        0.6745 * (model_changes.log_change - reference_spreads.median_change)
        / reference_spreads.median_absolute_deviation as modified_z_score
    from model_changes
    inner join reference_spreads
        on model_changes.vintage = reference_spreads.vintage
        and model_changes.week_start = reference_spreads.week_start
    where reference_spreads.changes >= {{ var('event_mad_min_changes') }}
        and reference_spreads.median_absolute_deviation > 0

),

surges_and_drops as (

    select
        vintage,
        case when modified_z_score > 0 then 'weekly_surge' else 'weekly_drop' end as event_kind,
        week_start as event_date,
        'model' as subject_kind,
        subject,
        subject_name,
        cast(null as {{ dbt.type_string() }}) as other_subject,
        cast(null as {{ dbt.type_string() }}) as other_subject_name,
        'wow_growth_pct' as measure,
        (exp(log_change) - 1) * 100 as measured_value,
        (
            exp(
                median_change
                + case when modified_z_score > 0 then 1 else -1 end
                * {{ var('event_mad_threshold') }} * median_absolute_deviation / 0.6745
            ) - 1
        ) * 100 as threshold,
        '' as key_detail,
        as_of
    from scored_changes
    where abs(modified_z_score) >= {{ var('event_mad_threshold') }}

)

select * from entered_top_n
union all
select * from overtakes
union all
select * from surges_and_drops
