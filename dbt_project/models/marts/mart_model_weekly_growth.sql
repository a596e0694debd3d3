-- One row per ISO week and ranked entry. Permaslugs keep their `:variant` suffix, since OpenRouter
-- ranks variants separately; the `other` tail row is included, unranked.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

weekly_totals as (

    select * from {{ ref('int_weekly_totals') }}

),

first_seen as (

    select
        model_permaslug,
        min(date) as first_seen_date
    from daily_tokens
    group by model_permaslug

),

model_week_tokens as (

    select
        week_start,
        model_permaslug,
        min(model_name) as model_name,
        min(vendor_slug) as vendor_slug,
        min(country_code) as country_code,
        min(region) as region,
        bool_or(open_weights) as open_weights,
        bool_or(is_other) as is_other,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, model_permaslug

),

model_weeks_ranked as (

    select
        model_week_tokens.*,
        case
            when not is_other then row_number() over (
                partition by week_start, is_other
                order by total_tokens desc, model_permaslug asc
            )
        end as model_rank,
        sum(total_tokens) over (
            partition by model_permaslug
            order by week_start
            rows between unbounded preceding and current row
        ) as cumulative_tokens
    from model_week_tokens

)

select
    model_weeks_ranked.week_start,
    model_weeks_ranked.model_permaslug,
    model_weeks_ranked.model_name,
    model_weeks_ranked.vendor_slug,
    model_weeks_ranked.country_code,
    model_weeks_ranked.region,
    model_weeks_ranked.open_weights,
    model_weeks_ranked.total_tokens,
    cast(model_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast(model_weeks_ranked.model_rank as integer) as model_rank,
    cast(previous_week.model_rank as integer) as prev_rank,
    cast(previous_week.model_rank - model_weeks_ranked.model_rank as integer) as rank_change,
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct('model_weeks_ranked.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    first_seen.first_seen_date,
    cast(
        {{ dbt.datediff('cast(date_trunc(\'week\', first_seen.first_seen_date) as date)', 'model_weeks_ranked.week_start', 'day') }} / 7
        as integer
    ) as weeks_since_first_seen,
    cast(model_weeks_ranked.cumulative_tokens as bigint) as cumulative_tokens,
    model_weeks_ranked.week_start = cast(date_trunc('week', first_seen.first_seen_date) as date)
        as is_new_entry,
    weekly_totals.is_complete_week
from model_weeks_ranked
inner join weekly_totals
    on model_weeks_ranked.week_start = weekly_totals.week_start
inner join first_seen
    on model_weeks_ranked.model_permaslug = first_seen.model_permaslug
left join model_weeks_ranked as previous_week
    on model_weeks_ranked.model_permaslug = previous_week.model_permaslug
    and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'model_weeks_ranked.week_start') }} as date)
