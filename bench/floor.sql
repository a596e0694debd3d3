-- The floor: the same marts as the dbt project, computed from the same Parquet lake by DuckDB
-- alone, in one script with no dbt, Dagster, tests or checks. {lake} and {seed} are replaced
-- by bench/run.py. Written independently of the dbt models, so equal results cross-check both.

create table latest_rows as
with raw_rows as (
    select * from read_parquet('{lake}/raw/rankings_daily/*/*.parquet', hive_partitioning = true)
)
select raw_rows.*
from raw_rows
semi join (
    select date, max((as_of, fetched_at, response_sha256)) as newest from raw_rows group by date
) as newest
    on raw_rows.date = newest.date
    and (raw_rows.as_of, raw_rows.fetched_at, raw_rows.response_sha256) = newest.newest;

create table catalog as
select id, canonical_slug, name, coalesce(trim(hugging_face_id), '') <> '' as open_weights
from read_parquet('{lake}/raw/models_catalog/*.parquet')
qualify row_number() over (
    partition by canonical_slug order by as_of desc, id like '%:%', length(id), id
) = 1;

create table vendors as
select author_slug, organization, country_code, country_name, region,
       case open_weights_policy when 'yes' then true when 'no' then false end as open_weights
from read_csv('{seed}', header = true, all_varchar = true);

create table fct_model_daily_tokens as
with keyed as (
    select *,
           split_part(model_permaslug, ':', 1) as base,
           case when is_other then 'other' else ltrim(split_part(model_permaslug, '/', 1), '~') end
               as vendor_slug
    from latest_rows
)
select
    keyed.date,
    cast(date_trunc('week', keyed.date) as date) as week_start,
    keyed.model_permaslug,
    keyed.vendor_slug,
    case when keyed.is_other then 'ZZ' else coalesce(vendors.country_code, 'ZZ') end as country_code,
    case when keyed.is_other then 'Unattributed' else coalesce(vendors.region, 'Unattributed') end
        as region,
    case when not keyed.is_other
        then coalesce(by_slug.open_weights, by_id.open_weights, vendors.open_weights) end
        as open_weights,
    keyed.is_other,
    keyed.total_tokens,
    keyed.source
from keyed
left join catalog as by_slug on keyed.base = by_slug.canonical_slug
left join catalog as by_id on by_slug.canonical_slug is null and keyed.base = by_id.id
left join vendors on keyed.vendor_slug = vendors.author_slug;

create table week_totals as
select week_start, sum(total_tokens) as total_tokens,
       sum(total_tokens) filter (where is_other) as other_tokens,
       count(distinct date) = 7 as is_complete_week
from fct_model_daily_tokens group by week_start;

-- One weekly breakdown per dimension: tokens, share, rank (unranked bucket excluded), growth.
create table mart_region_weekly as
with weekly as (
    select week_start, region, sum(total_tokens) as tokens
    from fct_model_daily_tokens group by all
)
select w.week_start, w.region, w.tokens::bigint as total_tokens,
       w.tokens / t.total_tokens::double as token_share,
       case when w.region <> 'Unattributed' then row_number() over (
           partition by w.week_start, w.region = 'Unattributed' order by w.tokens desc, w.region)
       end::integer as region_rank,
       p.tokens::bigint as prev_week_tokens,
       case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly w
join week_totals t using (week_start)
left join weekly p on p.region = w.region and p.week_start = w.week_start - 7;

create table mart_country_weekly as
with weekly as (
    select week_start, country_code, sum(total_tokens) as tokens
    from fct_model_daily_tokens group by all
)
select w.week_start, w.country_code, w.tokens::bigint as total_tokens,
       w.tokens / t.total_tokens::double as token_share,
       case when w.country_code <> 'ZZ' then row_number() over (
           partition by w.week_start, w.country_code = 'ZZ' order by w.tokens desc, w.country_code)
       end::integer as country_rank,
       p.tokens::bigint as prev_week_tokens,
       case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly w
join week_totals t using (week_start)
left join weekly p on p.country_code = w.country_code and p.week_start = w.week_start - 7;

create table mart_vendor_weekly as
with weekly as (
    select week_start, vendor_slug, sum(total_tokens) as tokens
    from fct_model_daily_tokens group by all
)
select w.week_start, w.vendor_slug, w.tokens::bigint as total_tokens,
       w.tokens / t.total_tokens::double as token_share,
       case when w.vendor_slug <> 'other' then row_number() over (
           partition by w.week_start, w.vendor_slug = 'other' order by w.tokens desc, w.vendor_slug)
       end::integer as vendor_rank,
       p.tokens::bigint as prev_week_tokens,
       case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly w
join week_totals t using (week_start)
left join weekly p on p.vendor_slug = w.vendor_slug and p.week_start = w.week_start - 7;

create table mart_model_weekly_growth as
with weekly as (
    select week_start, model_permaslug, bool_or(is_other) as is_other,
           sum(total_tokens) as tokens, min(min(date)) over (partition by model_permaslug) as first_seen
    from fct_model_daily_tokens group by week_start, model_permaslug
),
ranked as (
    select *,
           case when not is_other then row_number() over (
               partition by week_start, is_other order by tokens desc, model_permaslug) end as rank,
           sum(tokens) over (partition by model_permaslug order by week_start) as cumulative
    from weekly
)
select r.week_start, r.model_permaslug, r.tokens::bigint as total_tokens,
       r.tokens / t.total_tokens::double as token_share,
       r.rank::integer as model_rank, p.rank::integer as prev_rank,
       (p.rank - r.rank)::integer as rank_change, p.tokens::bigint as prev_week_tokens,
       case when p.tokens > 0 then (r.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct,
       r.first_seen as first_seen_date,
       ((r.week_start - date_trunc('week', r.first_seen)::date) // 7)::integer
           as weeks_since_first_seen,
       r.cumulative::bigint as cumulative_tokens,
       r.week_start = date_trunc('week', r.first_seen)::date as is_new_entry
from ranked r
join week_totals t using (week_start)
left join ranked p on p.model_permaslug = r.model_permaslug and p.week_start = r.week_start - 7;

create table mart_token_milestones as
with named as (select * from fct_model_daily_tokens where not is_other),
cumulative as (
    select 'model' as level, model_permaslug, vendor_slug, date,
           min(date) over (partition by model_permaslug) as first_seen,
           sum(total_tokens) over (partition by model_permaslug order by date) as tokens
    from named
    union all
    select 'vendor', null, vendor_slug, date,
           min(date) over (partition by vendor_slug),
           sum(sum(total_tokens)) over (partition by vendor_slug order by date)
    from named group by vendor_slug, date
),
thresholds as (
    select unnest([1, 2, 5, 10, 20, 50, 100]) * 1000000000000 as threshold_tokens
)
select level, model_permaslug, vendor_slug, threshold_tokens::bigint as threshold_tokens,
       min(date) as crossed_on, min(first_seen) as first_seen_date,
       (min(date) - min(first_seen))::integer as days_to_cross
from cumulative join thresholds on tokens >= threshold_tokens
group by all;

create table mart_market_concentration_weekly as
with models as (
    select week_start, model_permaslug, bool_or(open_weights) as open_weights,
           sum(total_tokens) as tokens
    from fct_model_daily_tokens where not is_other group by all
),
ranked as (
    select *, row_number() over (partition by week_start order by tokens desc, model_permaslug)
        as rank
    from models
),
by_model as (
    select r.week_start, count(*) as n_models,
           sum(r.tokens) filter (where rank <= 1) as top1, sum(r.tokens) filter (where rank <= 5) as top5,
           sum(r.tokens) filter (where rank <= 10) as top10,
           sum(r.tokens) filter (where r.open_weights) as open_tokens,
           sum(power(r.tokens / t.total_tokens::double, 2)) as model_hhi
    from ranked r join week_totals t using (week_start) group by r.week_start
),
by_vendor as (
    select v.week_start, count(*) as n_vendors,
           sum(power(v.tokens / t.total_tokens::double, 2)) as vendor_hhi
    from (select week_start, vendor_slug, sum(total_tokens) as tokens
          from fct_model_daily_tokens where not is_other group by all) v
    join week_totals t using (week_start) group by v.week_start
),
by_region as (
    select week_start,
           sum(total_tokens) filter (where region = 'China') as china,
           sum(total_tokens) filter (where region = 'United States') as us
    from fct_model_daily_tokens group by week_start
)
select t.week_start, t.total_tokens::bigint as total_tokens,
       coalesce(m.n_models, 0)::integer as n_models, coalesce(v.n_vendors, 0)::integer as n_vendors,
       coalesce(m.top1, 0) / t.total_tokens::double as top1_model_share,
       coalesce(m.top5, 0) / t.total_tokens::double as top5_model_share,
       coalesce(m.top10, 0) / t.total_tokens::double as top10_model_share,
       coalesce(t.other_tokens, 0) / t.total_tokens::double as other_share,
       coalesce(v.vendor_hhi, 0) as vendor_hhi, coalesce(m.model_hhi, 0) as model_hhi,
       coalesce(m.open_tokens, 0) / t.total_tokens::double as open_weights_share,
       coalesce(r.china, 0) / t.total_tokens::double as china_share,
       coalesce(r.us, 0) / t.total_tokens::double as us_share,
       t.is_complete_week
from week_totals t
left join by_model m using (week_start)
left join by_vendor v using (week_start)
left join by_region r using (week_start);
