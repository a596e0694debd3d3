-- Each charted week's token share by region, a region with no tokens in a week at 0, so that
-- the report's stacked areas are filled.
-- $charted_days: how far back from the newest week the chart starts.
with charted_weeks as (

    select *
    from marts.mart_region_weekly
    where
        week_start
        >= (select max(newest.week_start) from marts.mart_region_weekly as newest)
        - getvariable('charted_days')

),

regions as (select distinct region from charted_weeks),

week_regions as (

    select
        weeks.week_start,
        regions.region
    from (select distinct week_start from charted_weeks) as weeks
    cross join regions

)

select
    week_regions.week_start,
    week_regions.region,
    round(coalesce(charted_weeks.token_share, 0), 4) as token_share
from week_regions
left join charted_weeks
    on
        week_regions.week_start = charted_weeks.week_start
        and week_regions.region = charted_weeks.region
order by week_regions.week_start, week_regions.region
