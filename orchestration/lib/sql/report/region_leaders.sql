-- Each region's token share (percent) in the latest complete week, largest first.
select
    region_weekly.region,
    round(region_weekly.token_share * 100, 1) as token_share_pct
from marts.mart_region_weekly as region_weekly
where
    region_weekly.week_start = (
        select max(complete.week_start)
        from marts.mart_region_weekly as complete
        where complete.is_complete_week
    )
order by region_weekly.token_share desc
