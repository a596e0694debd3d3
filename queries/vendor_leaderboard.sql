-- Which vendors lead? The weekly leaderboard of vendors for the latest complete week:
-- tokens, share of the whole platform, rank and week-over-week growth.
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/vendor_leaderboard.sql
with latest_complete_week as (

    select max(week_start) as week_start
    from marts.mart_vendor_weekly
    where is_complete_week

)

select
    vendor.week_start,
    vendor.vendor_rank,
    vendor.vendor_name,
    vendor.country_code,
    vendor.total_tokens,
    round(vendor.token_share * 100, 1) as share_pct,
    round(vendor.wow_growth_pct, 1) as wow_growth_pct,
    publication.citation
from marts.mart_vendor_weekly as vendor
inner join latest_complete_week on vendor.week_start = latest_complete_week.week_start
cross join marts.publication as publication
where vendor.vendor_rank is not null
order by vendor.vendor_rank
limit 15;
