-- The cumulative tokens, week by week, of the $club_lines largest models that crossed
-- $threshold_tokens and were launched within the data, against days since launch; NULL (a gap)
-- in a week a model had no ranked tokens.
-- $charted_days: how far back from the newest week the chart starts.
with members as (

    select
        milestones.model_permaslug,
        models.display_name,
        models.launch_date
    from marts.mart_token_milestones as milestones
    inner join marts.dim_models as models
        on milestones.model_permaslug = models.model_permaslug
    where
        milestones.level = 'model'
        and milestones.threshold_tokens = getvariable('threshold_tokens')
        and models.launch_date
        >= (select publication.first_date from marts.publication as publication)

),

charted_growth as (

    select *
    from marts.mart_model_weekly_growth
    where
        week_start
        >= (select max(newest.week_start) from marts.mart_region_weekly as newest)
        - getvariable('charted_days')

),

member_weeks as (

    select
        charted_growth.model_permaslug,
        charted_growth.week_start,
        charted_growth.cumulative_tokens,
        least(
            charted_growth.week_start + 6,
            (select publication.last_date from marts.publication as publication)
        )
        - members.launch_date as days_since_launch
    from charted_growth
    inner join members
        on charted_growth.model_permaslug = members.model_permaslug

),

largest as (

    select model_permaslug
    from member_weeks
    group by model_permaslug
    order by max(cumulative_tokens) desc, model_permaslug
    limit getvariable('club_lines')

),

weeks as (select distinct week_start from member_weeks),

weeks_since_first as (

    select
        members.model_permaslug,
        members.display_name,
        members.launch_date,
        weeks.week_start
    from members
    inner join weeks
        on weeks.week_start >= (
            select min(first_week.week_start) from member_weeks as first_week
            where first_week.model_permaslug = members.model_permaslug
        )
    where members.model_permaslug in (select largest.model_permaslug from largest)

)

select
    weeks_since_first.display_name,
    least(
        weeks_since_first.week_start + 6,
        (select publication.last_date from marts.publication as publication)
    )
    - weeks_since_first.launch_date as days_since_launch,
    member_weeks.cumulative_tokens
from weeks_since_first
left join member_weeks
    on
        weeks_since_first.model_permaslug = member_weeks.model_permaslug
        and weeks_since_first.week_start = member_weeks.week_start
order by weeks_since_first.display_name, days_since_launch
