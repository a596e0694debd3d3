{#- Fails for every milestone whose model or vendor does not have cumulative tokens at or above
    the threshold on `crossed_on` and below it the day before, and for every crossing of a
    threshold (var milestone_thresholds) in `daily_tokens` that has no milestone. Cumulative
    tokens are recomputed here from the daily fact: each entity's total before the run's first
    week, then day by day from it (a full build starts from zero). -#}
{% test milestones_match_cumulative_tokens(model, daily_tokens) %}

with milestones as (

    select * from {{ model }}

),

named_daily_tokens as (

    select model_permaslug, vendor_slug, date, total_tokens
    from {{ daily_tokens }}
    where not is_other

),

tokens_before_run as (

    select 'model' as level, model_permaslug, vendor_slug, sum(total_tokens) as tokens
    from named_daily_tokens
    where date < {{ first_rebuilt_week() }}
    group by model_permaslug, vendor_slug

    union all

    select 'vendor' as level, null as model_permaslug, vendor_slug, sum(total_tokens) as tokens
    from named_daily_tokens
    where date < {{ first_rebuilt_week() }}
    group by vendor_slug

),

run_days as (

    select * from named_daily_tokens
    where date >= {{ first_rebuilt_week() }}

),

entity_days as (

    select 'model' as level, model_permaslug, vendor_slug, date, total_tokens
    from run_days

    union all

    select 'vendor' as level, null as model_permaslug, vendor_slug, date, sum(total_tokens)
    from run_days
    group by vendor_slug, date

),

through_each_day as (

    select
        entity_days.*,
        coalesce(tokens_before_run.tokens, 0) + sum(entity_days.total_tokens) over (
            partition by entity_days.level, entity_days.model_permaslug, entity_days.vendor_slug
            order by entity_days.date
        ) as tokens_through_day
    from entity_days
    left join tokens_before_run
        on entity_days.level = tokens_before_run.level
        and entity_days.vendor_slug = tokens_before_run.vendor_slug
        and entity_days.model_permaslug is not distinct from tokens_before_run.model_permaslug

),

milestones_checked as (

    select
        milestones.level,
        milestones.model_permaslug,
        milestones.vendor_slug,
        milestones.threshold_tokens,
        milestones.crossed_on,
        through_each_day.tokens_through_day
    from milestones
    left join through_each_day
        on milestones.level = through_each_day.level
        and milestones.vendor_slug = through_each_day.vendor_slug
        and milestones.model_permaslug is not distinct from through_each_day.model_permaslug
        and milestones.crossed_on = through_each_day.date
    where through_each_day.tokens_through_day is null
        or through_each_day.tokens_through_day < milestones.threshold_tokens
        or through_each_day.tokens_through_day - through_each_day.total_tokens
        >= milestones.threshold_tokens

),

thresholds as (

    {{ milestone_thresholds() }}

),

crossings_missing as (

    select
        through_each_day.level,
        through_each_day.model_permaslug,
        through_each_day.vendor_slug,
        thresholds.threshold_tokens,
        through_each_day.date as crossed_on,
        through_each_day.tokens_through_day
    from through_each_day
    inner join thresholds
        on through_each_day.tokens_through_day >= thresholds.threshold_tokens
        and through_each_day.tokens_through_day - through_each_day.total_tokens
        < thresholds.threshold_tokens
    where not exists (
        select 1 from milestones
        where milestones.level = through_each_day.level
            and milestones.vendor_slug = through_each_day.vendor_slug
            and milestones.model_permaslug is not distinct from through_each_day.model_permaslug
            and milestones.threshold_tokens = thresholds.threshold_tokens
    )

)

select 'inconsistent milestone' as problem, * from milestones_checked
union all
select 'crossing without a milestone' as problem, * from crossings_missing

{% endtest %}
