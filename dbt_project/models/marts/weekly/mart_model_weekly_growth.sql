-- One row per ISO week and ranked entry. Permaslugs keep their `:variant` suffix, since OpenRouter
-- ranks variants separately; the `other` tail row is included, unranked.
-- An incremental run takes first-seen dates and cumulative tokens from before the weeks it
-- rebuilds from the rows already built.
{%- set first_seen_week = "cast(date_trunc('week', first_seen.first_seen_date) as date)" %}

with {{ weekly_mart_inputs(with_previous_week=true) }},

{% if is_incremental() %}
history_before_rebuilt_weeks as (

    select
        model_permaslug,
        min(first_seen_date) as first_seen_date,
        max_by(cumulative_tokens, week_start) as cumulative_tokens
    from {{ this }}
    where week_start < {{ first_rebuilt_week() }}
    group by model_permaslug

),
{% endif %}

first_seen as (

    select
        daily_tokens.model_permaslug,
        {% if is_incremental() %}
        least(
            min(history_before_rebuilt_weeks.first_seen_date), min(daily_tokens.date)
        ) as first_seen_date
        {% else %}
        min(daily_tokens.date) as first_seen_date
        {% endif %}
    from daily_tokens
    {% if is_incremental() %}
    -- Used by the incremental branch of first_seen_date above, which sqlfluff lints apart.
    left join history_before_rebuilt_weeks  -- noqa: ST11
        on daily_tokens.model_permaslug = history_before_rebuilt_weeks.model_permaslug
    {% endif %}
    group by daily_tokens.model_permaslug

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
            when not model_week_tokens.is_other then row_number() over (
                partition by model_week_tokens.week_start, model_week_tokens.is_other
                order by model_week_tokens.total_tokens desc, model_week_tokens.model_permaslug asc
            )
        end as model_rank
    from model_week_tokens

),

rebuilt_model_weeks as (

    select
        model_weeks_ranked.*,
        sum(model_weeks_ranked.total_tokens) over (
            partition by model_weeks_ranked.model_permaslug
            order by model_weeks_ranked.week_start
            rows between unbounded preceding and current row
        )
        {% if is_incremental() %}
        + coalesce(history_before_rebuilt_weeks.cumulative_tokens, 0)
        {% endif %}
        as cumulative_tokens
    from model_weeks_ranked
    {% if is_incremental() %}
    left join history_before_rebuilt_weeks
        on model_weeks_ranked.model_permaslug = history_before_rebuilt_weeks.model_permaslug
    where model_weeks_ranked.week_start >= {{ first_rebuilt_week() }}
    {% endif %}

)

select
    rebuilt_model_weeks.week_start,
    rebuilt_model_weeks.model_permaslug,
    rebuilt_model_weeks.model_name,
    rebuilt_model_weeks.vendor_slug,
    rebuilt_model_weeks.country_code,
    rebuilt_model_weeks.region,
    rebuilt_model_weeks.open_weights,
    rebuilt_model_weeks.total_tokens,
    cast(rebuilt_model_weeks.total_tokens as double) / weekly_totals.total_tokens as token_share,
    cast(rebuilt_model_weeks.model_rank as integer) as model_rank,
    cast(previous_week.model_rank as integer) as prev_rank,
    cast(previous_week.model_rank - rebuilt_model_weeks.model_rank as integer) as rank_change,
    previous_week.total_tokens as prev_week_tokens,
    {{ growth_pct('rebuilt_model_weeks.total_tokens', 'previous_week.total_tokens') }}
        as wow_growth_pct,
    first_seen.first_seen_date,
    cast(
        {{ dbt.datediff(first_seen_week, 'rebuilt_model_weeks.week_start', 'day') }} / 7 as integer
    ) as weeks_since_first_seen,
    cast(rebuilt_model_weeks.cumulative_tokens as bigint) as cumulative_tokens,
    rebuilt_model_weeks.week_start = {{ first_seen_week }} as is_new_entry,
    weekly_totals.is_complete_week
from rebuilt_model_weeks
inner join weekly_totals
    on rebuilt_model_weeks.week_start = weekly_totals.week_start
inner join first_seen
    on rebuilt_model_weeks.model_permaslug = first_seen.model_permaslug
left join model_weeks_ranked as previous_week
    on rebuilt_model_weeks.model_permaslug = previous_week.model_permaslug
    and previous_week.week_start
    = cast({{ dbt.dateadd('day', -7, 'rebuilt_model_weeks.week_start') }} as date)
