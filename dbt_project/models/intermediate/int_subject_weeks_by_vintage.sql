-- Each complete ISO week's tokens (all 7 days complete) per model, vendor and attributed region,
-- in each vintage of the figures (int_daily_tokens_by_vintage): what weekly events compare.
-- A table, not a view: the models after it read it several times, and Spark would recompute
-- a view's plan each time.
{{ config(materialized='table') }}

with daily_tokens as (

    select * from {{ ref('int_daily_tokens_by_vintage') }}

),

complete_weeks as (

    select
        vintage,
        cast({{ dbt.date_trunc('week', 'date') }} as date) as week_start
    from daily_tokens
    group by vintage, cast({{ dbt.date_trunc('week', 'date') }} as date)
    having count(distinct date) = 7

),

weekly_rows as (

    select
        daily_tokens.*,
        complete_weeks.week_start
    from daily_tokens
    inner join complete_weeks
        on daily_tokens.vintage = complete_weeks.vintage
        and cast({{ dbt.date_trunc('week', 'daily_tokens.date') }} as date)
        = complete_weeks.week_start
    where not daily_tokens.is_other

)

select
    vintage,
    week_start,
    'model' as subject_kind,
    model_permaslug as subject,
    min(model_name) as subject_name,
    sum(total_tokens) as total_tokens,
    max(as_of) as as_of
from weekly_rows
group by vintage, week_start, model_permaslug

union all

select
    vintage,
    week_start,
    'vendor' as subject_kind,
    vendor_slug as subject,
    min(vendor_name) as subject_name,
    sum(total_tokens) as total_tokens,
    max(as_of) as as_of
from weekly_rows
group by vintage, week_start, vendor_slug

union all

select
    vintage,
    week_start,
    'region' as subject_kind,
    region as subject,
    region as subject_name,
    sum(total_tokens) as total_tokens,
    max(as_of) as as_of
from weekly_rows
where region not in ('Unattributed', 'Undisclosed')
group by vintage, week_start, region
