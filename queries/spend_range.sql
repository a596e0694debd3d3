-- What was spent on each vendor's models in the latest complete week? An estimate, as a range:
-- all tokens at the cheaper of the prompt/completion list prices to all at the dearer, at the
-- catalogue prices in force (mart_model_spend_weekly). Tokens without a known price are shown
-- apart, never priced.
-- Run: .venv/bin/duckdb -readonly data/warehouse.duckdb -f queries/spend_range.sql
with latest_complete_week as (

    select max(week_start) as week_start
    from marts.mart_vendor_weekly
    where is_complete_week

)

select
    spend.week_start,
    spend.vendor_slug,
    cast(sum(spend.total_tokens) as bigint) as total_tokens,
    cast(sum(case when spend.spend_low_usd is null then spend.total_tokens else 0 end) as bigint)
        as unpriced_tokens,
    round(sum(spend.spend_low_usd)) as spend_low_usd,
    round(sum(spend.spend_high_usd)) as spend_high_usd,
    publication.source,
    publication.citation
from marts.mart_model_spend_weekly as spend
inner join latest_complete_week on spend.week_start = latest_complete_week.week_start
cross join marts.publication as publication
group by spend.week_start, spend.vendor_slug, publication.source, publication.citation
order by spend_high_usd desc nulls last
limit 15;
