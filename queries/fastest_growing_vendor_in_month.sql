-- Which vendor grew fastest in a month (March 2026 here; change `chosen_month`)? Growth is
-- month-over-month growth of tokens per day (mom_growth_pct, defined once in the monthly marts),
-- among vendors with at least 1% of the month's tokens, so a tiny base does not win.
-- Run:
--   .venv/bin/duckdb -readonly data/warehouse.duckdb -f queries/fastest_growing_vendor_in_month.sql
with chosen_month as (

    select date '2026-03-01' as month_start

)

select
    vendor.month_start,
    vendor.vendor_name,
    vendor.region,
    vendor.total_tokens,
    round(vendor.token_share * 100, 1) as share_pct,
    round(vendor.tokens_per_day) as tokens_per_day,
    round(vendor.prev_month_tokens_per_day) as prev_month_tokens_per_day,
    round(vendor.mom_growth_pct, 1) as mom_growth_pct,
    vendor.is_complete_month,
    publication.source,
    publication.citation
from marts.mart_vendor_monthly as vendor
inner join chosen_month on vendor.month_start = chosen_month.month_start
cross join marts.publication as publication
where vendor.vendor_rank is not null
    and vendor.mom_growth_pct is not null
    and vendor.token_share >= 0.01
order by vendor.mom_growth_pct desc
limit 10;
