-- Which model families lead? Tokens per family (variants such as `:free` and dated releases
-- rolled up, dim_models.model_family) in the latest complete week, with open weights and the
-- number of ranked entries in each family.
-- Run: .venv/bin/duckdb -readonly data/warehouse.duckdb -f queries/model_family_rollup.sql
with latest_complete_week as (

    select max(week_start) as week_start
    from marts.mart_vendor_weekly
    where is_complete_week

),

family_tokens as (

    select
        entry.model_family,
        min(entry.model_family_name) as model_family_name,
        min(entry.vendor_name) as vendor_name,
        bool_or(entry.open_weights) as open_weights,
        count(distinct daily.model_permaslug) as entries,
        cast(sum(daily.total_tokens) as bigint) as total_tokens
    from marts.fct_model_daily_tokens as daily
    inner join latest_complete_week on daily.week_start = latest_complete_week.week_start
    inner join marts.dim_models as entry on daily.model_permaslug = entry.model_permaslug
    where not daily.is_other
    group by entry.model_family

)

select
    latest_complete_week.week_start,
    family_tokens.model_family_name,
    family_tokens.vendor_name,
    family_tokens.open_weights,
    family_tokens.entries,
    family_tokens.total_tokens,
    publication.source,
    publication.citation
from family_tokens
cross join latest_complete_week
cross join marts.publication as publication
order by family_tokens.total_tokens desc
limit 15;
