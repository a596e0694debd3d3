-- Per data date from the lake's first to its last: whether any snapshot holds it (a day none
-- holds is a gap, with the rest built around it), which feed and snapshot the warehouse's
-- figures come from, and which feeds hold it at all. Rebuilt by whole ISO weeks of the run's
-- window, so that each week's completeness is current.
with snapshot_rows as (

    select * from {{ ref('stg_openrouter__rankings_snapshot_rows') }}

),

latest_rows as (

    select * from {{ ref('stg_openrouter__rankings_daily') }}

),

calendar as (

    select date_day from {{ ref('metricflow_time_spine') }}

),

feeds_per_date as (

    select
        date,
        max(case when source = 'api' then 1 else 0 end) = 1 as covered_by_api,
        max(case when source = 'exports' then 1 else 0 end) = 1 as covered_by_exports,
        max(case when source = 'sample' then 1 else 0 end) = 1 as covered_by_sample,
        count(distinct response_sha256) as snapshots
    from snapshot_rows
    group by date

),

lake_bounds as (

    select
        min(date) as first_date,
        max(date) as last_date
    from feeds_per_date

),

latest_snapshot_per_date as (

    select distinct
        date,
        source,
        response_sha256,
        as_of
    from latest_rows

),

days as (

    select calendar.date_day as date
    from calendar
    cross join lake_bounds
    where calendar.date_day between lake_bounds.first_date and lake_bounds.last_date
        {% if is_incremental() %}
        and {{ run_window_sql(
            "cast(" ~ dbt.date_trunc('week', 'calendar.date_day') ~ " as date)"
            ~ " between $first_week and $last_week"
        ) }}
        {% endif %}

),

coverage as (

    select
        days.date,
        cast({{ dbt.date_trunc('week', 'days.date') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'days.date') }} as date) as month_start,
        latest_snapshot_per_date.date is not null as is_covered,
        latest_snapshot_per_date.source,
        latest_snapshot_per_date.response_sha256,
        latest_snapshot_per_date.as_of,
        coalesce(feeds_per_date.covered_by_api, false) as covered_by_api,
        coalesce(feeds_per_date.covered_by_exports, false) as covered_by_exports,
        coalesce(feeds_per_date.covered_by_sample, false) as covered_by_sample,
        cast(coalesce(feeds_per_date.snapshots, 0) as integer) as snapshots
    from days
    left join latest_snapshot_per_date
        on days.date = latest_snapshot_per_date.date
    left join feeds_per_date
        on days.date = feeds_per_date.date

)

select
    coverage.*,
    cast(
        sum(case when coverage.is_covered then 1 else 0 end)
            over (partition by coverage.week_start)
        as integer
    ) as week_days_covered,
    sum(case when coverage.is_covered then 1 else 0 end)
        over (partition by coverage.week_start) = 7
        as is_complete_week
from coverage
