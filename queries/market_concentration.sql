-- How concentrated is the market over time? Per week: the leading model's share, the top 5
-- and top 10, the vendor HHI (0..1; above 0.25 is highly concentrated), and the shares of
-- open-weight, Chinese and US models.
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/market_concentration.sql
select
    concentration.week_start,
    concentration.n_models,
    concentration.n_vendors,
    round(concentration.top1_model_share * 100, 1) as top1_share_pct,
    round(concentration.top5_model_share * 100, 1) as top5_share_pct,
    round(concentration.top10_model_share * 100, 1) as top10_share_pct,
    round(concentration.vendor_hhi, 3) as vendor_hhi,
    round(concentration.open_weights_share * 100, 1) as open_weights_share_pct,
    round(concentration.china_share * 100, 1) as china_share_pct,
    round(concentration.us_share * 100, 1) as us_share_pct,
    concentration.is_complete_week,
    publication.citation
from marts.mart_market_concentration_weekly as concentration
cross join marts.publication as publication
order by concentration.week_start;
