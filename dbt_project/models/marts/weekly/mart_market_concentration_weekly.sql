-- How concentrated each week's tokens are. Shares are fractions of the week's total including
-- the `other` row; HHIs (0..1) sum squared shares of named models or vendors, so the `other`
-- tail, whose members are unknown, counts for nothing in them: they are lower bounds.
with {{ weekly_mart_inputs() }},

model_week_tokens as (

    select
        week_start,
        model_permaslug,
        bool_or(open_weights) as open_weights,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    where not is_other
    group by week_start, model_permaslug

),

model_weeks_ranked as (

    select
        model_week_tokens.*,
        row_number() over (
            partition by model_week_tokens.week_start
            order by model_week_tokens.total_tokens desc, model_week_tokens.model_permaslug asc
        ) as model_rank
    from model_week_tokens

),

vendor_week_tokens as (

    select
        week_start,
        vendor_slug,
        sum(total_tokens) as total_tokens
    from daily_tokens
    where not is_other
    group by week_start, vendor_slug

),

region_week_tokens as (

    select
        week_start,
        sum(case when region = 'China' then total_tokens else 0 end) as china_tokens,
        sum(case when region = 'United States' then total_tokens else 0 end) as us_tokens
    from daily_tokens
    group by week_start

),

model_concentration as (

    select
        model_weeks_ranked.week_start,
        count(*) as n_models,
        sum(
            case when model_weeks_ranked.model_rank <= 1 then model_weeks_ranked.total_tokens end
        ) as top1_tokens,
        sum(
            case when model_weeks_ranked.model_rank <= 5 then model_weeks_ranked.total_tokens end
        ) as top5_tokens,
        sum(
            case when model_weeks_ranked.model_rank <= 10 then model_weeks_ranked.total_tokens end
        ) as top10_tokens,
        sum(
            case when model_weeks_ranked.open_weights then model_weeks_ranked.total_tokens end
        ) as open_weights_tokens,
        sum(
            power(cast(model_weeks_ranked.total_tokens as double) / weekly_totals.total_tokens, 2)
        ) as model_hhi
    from model_weeks_ranked
    inner join weekly_totals
        on model_weeks_ranked.week_start = weekly_totals.week_start
    group by model_weeks_ranked.week_start

),

vendor_concentration as (

    select
        vendor_week_tokens.week_start,
        count(*) as n_vendors,
        sum(power(cast(vendor_week_tokens.total_tokens as double) / weekly_totals.total_tokens, 2))
            as vendor_hhi
    from vendor_week_tokens
    inner join weekly_totals
        on vendor_week_tokens.week_start = weekly_totals.week_start
    group by vendor_week_tokens.week_start

)

select
    weekly_totals.week_start,
    weekly_totals.total_tokens,
    cast(coalesce(model_concentration.n_models, 0) as integer) as n_models,
    cast(coalesce(vendor_concentration.n_vendors, 0) as integer) as n_vendors,
    coalesce(model_concentration.top1_tokens, 0) / cast(weekly_totals.total_tokens as double)
        as top1_model_share,
    coalesce(model_concentration.top5_tokens, 0) / cast(weekly_totals.total_tokens as double)
        as top5_model_share,
    coalesce(model_concentration.top10_tokens, 0) / cast(weekly_totals.total_tokens as double)
        as top10_model_share,
    weekly_totals.other_tokens / cast(weekly_totals.total_tokens as double) as other_share,
    coalesce(vendor_concentration.vendor_hhi, 0) as vendor_hhi,
    coalesce(model_concentration.model_hhi, 0) as model_hhi,
    coalesce(model_concentration.open_weights_tokens, 0)
        / cast(weekly_totals.total_tokens as double) as open_weights_share,
    region_week_tokens.china_tokens / cast(weekly_totals.total_tokens as double) as china_share,
    region_week_tokens.us_tokens / cast(weekly_totals.total_tokens as double) as us_share,
    weekly_totals.is_complete_week
from weekly_totals
left join model_concentration
    on weekly_totals.week_start = model_concentration.week_start
left join vendor_concentration
    on weekly_totals.week_start = vendor_concentration.week_start
left join region_week_tokens
    on weekly_totals.week_start = region_week_tokens.week_start
