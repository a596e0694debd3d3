-- When did Chinese models overtake US models in weekly token share? Every week with both
-- regions' shares, flagging the weeks where China moved ahead of (or fell behind) the US.
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/china_overtakes_us.sql
with weekly_shares as (

    select
        week_start,
        max(case when region = 'China' then token_share end) as china_share,
        max(case when region = 'United States' then token_share end) as us_share
    from marts.mart_region_weekly
    group by week_start

),

lead_changes as (

    select
        week_start,
        coalesce(china_share, 0) as china_share,
        coalesce(us_share, 0) as us_share,
        coalesce(china_share, 0) > coalesce(us_share, 0) as china_ahead,
        lag(coalesce(china_share, 0) > coalesce(us_share, 0)) over (order by week_start)
            as china_ahead_last_week
    from weekly_shares

)

select
    lead_changes.week_start,
    round(lead_changes.china_share * 100, 1) as china_share_pct,
    round(lead_changes.us_share * 100, 1) as us_share_pct,
    case
        when lead_changes.china_ahead and not lead_changes.china_ahead_last_week
            then 'China overtakes the US'
        when not lead_changes.china_ahead and lead_changes.china_ahead_last_week
            then 'US back ahead'
    end as lead_change,
    publication.citation
from lead_changes
cross join marts.publication as publication
order by lead_changes.week_start;
