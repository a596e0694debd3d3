-- The floor: the same marts as the dbt project, computed from the same Parquet lake by DuckDB
-- alone, in one script with no dbt, Dagster, tests or checks. {lake} and {seed} are replaced
-- by bench/run.py. Written independently of the dbt models, so equal results cross-check both.

create table latest_rows as
with raw_rows as (
    select *
    from read_parquet('{lake}/raw/rankings_daily/*/*.parquet', hive_partitioning = true)
),

newest_per_date as (
    select
        date,
        max((as_of, fetched_at, response_sha256)) as newest
    from raw_rows
    group by date
)

select raw_rows.*
from raw_rows
semi join newest_per_date
    on raw_rows.date = newest_per_date.date
    and newest_per_date.newest = (raw_rows.as_of, raw_rows.fetched_at, raw_rows.response_sha256);

create table catalog as
select
    id,
    canonical_slug,
    name,
    coalesce(trim(hugging_face_id), '') <> '' as open_weights
from read_parquet('{lake}/raw/models_catalog/*.parquet')
qualify row_number() over (
    partition by canonical_slug order by as_of desc, id like '%:%' asc, length(id) asc, id asc
) = 1;

create table vendors as
select
    author_slug,
    organization,
    country_code,
    country_name,
    region,
    case open_weights_policy when 'yes' then true when 'no' then false end as open_weights
from read_csv('{seed}', header = true, all_varchar = true);

create table fct_model_daily_tokens as
with keyed as (
    select
        latest_rows.*,
        split_part(latest_rows.model_permaslug, ':', 1) as base,
        case
            when latest_rows.is_other then 'other'
            else ltrim(split_part(latest_rows.model_permaslug, '/', 1), '~')
        end as vendor_slug
    from latest_rows
)

select
    keyed.date,
    cast(date_trunc('week', keyed.date) as date) as week_start,
    keyed.model_permaslug,
    keyed.vendor_slug,
    case
        when keyed.is_other then 'ZZ' else coalesce(vendors.country_code, 'ZZ')
    end as country_code,
    case
        when keyed.is_other then 'Unattributed' else coalesce(vendors.region, 'Unattributed')
    end as region,
    case
        when not keyed.is_other
            then coalesce(by_slug.open_weights, by_id.open_weights, vendors.open_weights)
    end as open_weights,
    keyed.is_other,
    keyed.total_tokens,
    keyed.source
from keyed
left join catalog as by_slug on keyed.base = by_slug.canonical_slug
left join catalog as by_id on by_slug.canonical_slug is null and keyed.base = by_id.id
left join vendors on keyed.vendor_slug = vendors.author_slug;

create table week_totals as
select
    week_start,
    sum(total_tokens) as total_tokens,
    sum(total_tokens) filter (where is_other) as other_tokens,
    count(distinct date) = 7 as is_complete_week
from fct_model_daily_tokens
group by week_start;

-- One weekly breakdown per dimension: tokens, share, rank (unranked bucket excluded), growth.
create table mart_region_weekly as
with weekly as (
    select
        week_start,
        region,
        sum(total_tokens) as tokens
    from fct_model_daily_tokens
    group by all
)

select
    w.week_start,
    w.region,
    cast(w.tokens as bigint) as total_tokens,
    w.tokens / cast(t.total_tokens as double) as token_share,
    cast(case
        when w.region not in ('Unattributed', 'Undisclosed') then row_number() over (
            partition by w.week_start, w.region in ('Unattributed', 'Undisclosed')
            order by w.tokens desc, w.region asc
        )
    end as integer) as region_rank,
    cast(p.tokens as bigint) as prev_week_tokens,
    case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly as w
inner join week_totals as t on w.week_start = t.week_start
left join weekly as p on w.region = p.region and w.week_start - 7 = p.week_start;

create table mart_country_weekly as
with weekly as (
    select
        week_start,
        country_code,
        sum(total_tokens) as tokens
    from fct_model_daily_tokens
    group by all
)

select
    w.week_start,
    w.country_code,
    cast(w.tokens as bigint) as total_tokens,
    w.tokens / cast(t.total_tokens as double) as token_share,
    cast(case
        when w.country_code not in ('ZZ', 'XU') then row_number() over (
            partition by w.week_start, w.country_code in ('ZZ', 'XU')
            order by w.tokens desc, w.country_code asc
        )
    end as integer) as country_rank,
    cast(p.tokens as bigint) as prev_week_tokens,
    case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly as w
inner join week_totals as t on w.week_start = t.week_start
left join weekly as p on w.country_code = p.country_code and w.week_start - 7 = p.week_start;

create table mart_vendor_weekly as
with weekly as (
    select
        week_start,
        vendor_slug,
        sum(total_tokens) as tokens
    from fct_model_daily_tokens
    group by all
)

select
    w.week_start,
    w.vendor_slug,
    cast(w.tokens as bigint) as total_tokens,
    w.tokens / cast(t.total_tokens as double) as token_share,
    cast(case
        when w.vendor_slug <> 'other' then row_number() over (
            partition by w.week_start, w.vendor_slug = 'other'
            order by w.tokens desc, w.vendor_slug asc
        )
    end as integer) as vendor_rank,
    cast(p.tokens as bigint) as prev_week_tokens,
    case when p.tokens > 0 then (w.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct
from weekly as w
inner join week_totals as t on w.week_start = t.week_start
left join weekly as p on w.vendor_slug = p.vendor_slug and w.week_start - 7 = p.week_start;

create table mart_model_weekly_growth as
with weekly as (
    select
        week_start,
        model_permaslug,
        bool_or(is_other) as is_other,
        sum(total_tokens) as tokens,
        min(min(date)) over (partition by model_permaslug) as first_seen
    from fct_model_daily_tokens
    group by week_start, model_permaslug
),

ranked as (
    select
        weekly.*,
        case
            when not weekly.is_other then row_number() over (
                partition by weekly.week_start, weekly.is_other
                order by weekly.tokens desc, weekly.model_permaslug asc
            )
        end as model_rank,
        sum(weekly.tokens) over (
            partition by weekly.model_permaslug order by weekly.week_start
        ) as cumulative
    from weekly
)

select
    r.week_start,
    r.model_permaslug,
    cast(r.tokens as bigint) as total_tokens,
    r.tokens / cast(t.total_tokens as double) as token_share,
    cast(r.model_rank as integer) as model_rank,
    cast(p.model_rank as integer) as prev_rank,
    cast(p.model_rank - r.model_rank as integer) as rank_change,
    cast(p.tokens as bigint) as prev_week_tokens,
    case when p.tokens > 0 then (r.tokens - p.tokens) * 100.0 / p.tokens end as wow_growth_pct,
    r.first_seen as first_seen_date,
    cast((r.week_start - cast(date_trunc('week', r.first_seen) as date)) // 7 as integer)
        as weeks_since_first_seen,
    cast(r.cumulative as bigint) as cumulative_tokens,
    r.week_start = cast(date_trunc('week', r.first_seen) as date) as is_new_entry
from ranked as r
inner join week_totals as t on r.week_start = t.week_start
left join ranked as p on r.model_permaslug = p.model_permaslug and r.week_start - 7 = p.week_start;

create table mart_token_milestones as
with named as (
    select *
    from fct_model_daily_tokens
    where not is_other
),

cumulative as (
    select
        'model' as level,
        model_permaslug,
        vendor_slug,
        date,
        min(date) over (partition by model_permaslug) as first_seen,
        sum(total_tokens) over (partition by model_permaslug order by date) as tokens
    from named

    union all

    select
        'vendor' as level,
        null as model_permaslug,
        vendor_slug,
        date,
        min(date) over (partition by vendor_slug) as first_seen,
        sum(sum(total_tokens)) over (partition by vendor_slug order by date) as tokens
    from named
    group by vendor_slug, date
),

thresholds as (
    select unnest([1, 2, 5, 10, 20, 50, 100]) * 1000000000000 as threshold_tokens
)

select
    cumulative.level,
    cumulative.model_permaslug,
    cumulative.vendor_slug,
    cast(thresholds.threshold_tokens as bigint) as threshold_tokens,
    min(cumulative.date) as crossed_on,
    min(cumulative.first_seen) as first_seen_date,
    cast(min(cumulative.date) - min(cumulative.first_seen) as integer) as days_to_cross
from cumulative
inner join thresholds on cumulative.tokens >= thresholds.threshold_tokens
group by all;

create table mart_market_concentration_weekly as
with models as (
    select
        week_start,
        model_permaslug,
        bool_or(open_weights) as open_weights,
        sum(total_tokens) as tokens
    from fct_model_daily_tokens
    where not is_other
    group by all
),

ranked as (
    select
        models.*,
        row_number() over (
            partition by models.week_start order by models.tokens desc, models.model_permaslug asc
        ) as model_rank
    from models
),

vendors_weekly as (
    select
        week_start,
        vendor_slug,
        sum(total_tokens) as tokens
    from fct_model_daily_tokens
    where not is_other
    group by all
),

by_model as (
    select
        r.week_start,
        count(*) as n_models,
        sum(r.tokens) filter (where r.model_rank <= 1) as top1,
        sum(r.tokens) filter (where r.model_rank <= 5) as top5,
        sum(r.tokens) filter (where r.model_rank <= 10) as top10,
        sum(r.tokens) filter (where r.open_weights) as open_tokens,
        sum(power(r.tokens / cast(t.total_tokens as double), 2)) as model_hhi
    from ranked as r
    inner join week_totals as t on r.week_start = t.week_start
    group by r.week_start
),

by_vendor as (
    select
        v.week_start,
        count(*) as n_vendors,
        sum(power(v.tokens / cast(t.total_tokens as double), 2)) as vendor_hhi
    from vendors_weekly as v
    inner join week_totals as t on v.week_start = t.week_start
    group by v.week_start
),

by_region as (
    select
        week_start,
        sum(total_tokens) filter (where region = 'China') as china,
        sum(total_tokens) filter (where region = 'United States') as us
    from fct_model_daily_tokens
    group by week_start
)

select
    t.week_start,
    cast(t.total_tokens as bigint) as total_tokens,
    cast(coalesce(m.n_models, 0) as integer) as n_models,
    cast(coalesce(v.n_vendors, 0) as integer) as n_vendors,
    coalesce(m.top1, 0) / cast(t.total_tokens as double) as top1_model_share,
    coalesce(m.top5, 0) / cast(t.total_tokens as double) as top5_model_share,
    coalesce(m.top10, 0) / cast(t.total_tokens as double) as top10_model_share,
    coalesce(t.other_tokens, 0) / cast(t.total_tokens as double) as other_share,
    coalesce(v.vendor_hhi, 0) as vendor_hhi,
    coalesce(m.model_hhi, 0) as model_hhi,
    coalesce(m.open_tokens, 0) / cast(t.total_tokens as double) as open_weights_share,
    coalesce(r.china, 0) / cast(t.total_tokens as double) as china_share,
    coalesce(r.us, 0) / cast(t.total_tokens as double) as us_share,
    t.is_complete_week
from week_totals as t
left join by_model as m on t.week_start = m.week_start
left join by_vendor as v on t.week_start = v.week_start
left join by_region as r on t.week_start = r.week_start;
