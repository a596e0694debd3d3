-- Which models grew fastest in the latest complete week? Week-over-week growth of ranked
-- models that also had tokens the week before (growth from nothing is NULL, not infinite).
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/fastest_growing_models.sql
with latest_complete_week as (

    select max(week_start) as week_start
    from marts.mart_model_weekly_growth
    where is_complete_week

)

select
    growth.week_start,
    growth.model_permaslug,
    growth.model_name,
    growth.region,
    growth.prev_week_tokens,
    growth.total_tokens,
    round(growth.wow_growth_pct, 1) as wow_growth_pct,
    growth.model_rank,
    growth.rank_change,
    publication.citation
from marts.mart_model_weekly_growth as growth
inner join latest_complete_week on growth.week_start = latest_complete_week.week_start
cross join marts.publication as publication
where growth.wow_growth_pct is not null
order by growth.wow_growth_pct desc, growth.model_permaslug asc
limit 10;
