-- Each complete day's tokens per ranked entry, in two vintages of the figures: `latest` (the
-- warehouse's, the daily fact's) and `first_complete` (as first published complete). Events are
-- detected on both (int_ranking_events_daily, _weekly): an event the latest figures no longer
-- show was withdrawn by a restatement (mart_ranking_events).
-- A day is complete in a snapshot taken after the day ended (UTC), or from a feed that holds
-- finished days only (the exports; the bundled sample, whose as_of records no time of day):
-- the live day a Data API snapshot holds is partial, and no event is ever computed on it.
-- The first figures of a restated date come from mart_restatements (its first snapshot, when
-- that one was complete), every other date's are its latest: the lake's own snapshots cannot
-- be read here, since a run over some dates reads only their folders of the lake.
-- A table, not a view: the models after it read it several times, and Spark would recompute
-- a view's plan each time.
{{ config(materialized='table') }}

with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    where source != 'api' or date < {{ utc_date('as_of') }}

),

restatements as (

    select * from {{ ref('mart_restatements') }}

),

entries as (

    select * from {{ ref('dim_models') }}

),

vendors as (

    select * from {{ ref('stg_reference__vendor_countries') }}

),

-- The entries of the restated dates' first snapshots, where that snapshot held them complete.
first_rows_of_restated_dates as (

    select * from restatements
    where first_source != 'api' or date < {{ utc_date('first_as_of') }}

),

restated_dates as (

    select distinct date from first_rows_of_restated_dates

),

latest_rows as (

    select
        daily_tokens.date,
        daily_tokens.model_permaslug,
        entries.display_name as model_name,
        daily_tokens.vendor_slug,
        daily_tokens.vendor_name,
        daily_tokens.region,
        daily_tokens.is_other,
        daily_tokens.total_tokens,
        daily_tokens.as_of
    from daily_tokens
    inner join entries
        on daily_tokens.model_permaslug = entries.model_permaslug

),

-- An entry the first figures hold and the latest do not (it fell into `other`) is not in
-- dim_models: its vendor comes from its permaslug, as in staging (vendor_slug_of).
first_figures_of_restated_dates as (

    select
        first_rows.date,
        first_rows.model_permaslug,
        coalesce(entries.display_name, first_rows.model_permaslug) as model_name,
        coalesce(entries.vendor_slug, vendors.vendor_slug, 'unknown') as vendor_slug,
        coalesce(entries.vendor_name, vendors.vendor_name, first_rows.model_permaslug)
            as vendor_name,
        case
            when first_rows.is_other then 'Unattributed'
            else coalesce(entries.region, vendors.region, 'Unattributed')
        end as region,
        first_rows.is_other,
        first_rows.first_tokens as total_tokens,
        first_rows.first_as_of as as_of
    from first_rows_of_restated_dates as first_rows
    left join entries
        on first_rows.model_permaslug = entries.model_permaslug
    left join vendors
        on {{ vendor_slug_of('first_rows.model_permaslug') }}
        = vendors.vendor_slug
    where first_rows.first_tokens is not null

),

first_complete_rows as (

    select latest_rows.*
    from latest_rows
    left join restated_dates
        on latest_rows.date = restated_dates.date
    where restated_dates.date is null

    union all

    select * from first_figures_of_restated_dates

)

select
    'first_complete' as vintage,
    first_complete_rows.*
from first_complete_rows

union all

select
    'latest' as vintage,
    latest_rows.*
from latest_rows
