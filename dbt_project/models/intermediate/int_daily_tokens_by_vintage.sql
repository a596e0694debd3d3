-- Each complete day's tokens per ranked entry, in two vintages of the figures: `latest` (the
-- warehouse's, the daily fact's) and `first_complete` (those of the first snapshot that held the
-- day complete). Events are detected on both (int_ranking_events_daily, _weekly): an event the
-- latest figures no longer show was withdrawn by a restatement (mart_ranking_events).
-- A day is complete in a snapshot taken after the day ended (UTC), or from a feed that holds
-- finished days only (the exports; the bundled sample, whose as_of records no time of day):
-- the live day a Data API snapshot holds is partial, and no event is ever computed on it.
-- A table, not a view: the models after it read it several times, and Spark would recompute
-- a view's plan each time.
{{ config(materialized='table') }}

with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

snapshot_rows as (

    select * from {{ ref('stg_openrouter__rankings_snapshot_rows') }}

),

entries as (

    select * from {{ ref('dim_models') }}

),

vendors as (

    select * from {{ ref('stg_reference__vendor_countries') }}

),

complete_snapshots_of_dates as (

    select distinct
        date,
        as_of,
        fetched_at,
        response_sha256
    from snapshot_rows
    where source != 'api' or date < {{ utc_date('as_of') }}

),

first_complete_snapshots as (

    select * from (
        select
            complete_snapshots_of_dates.*,
            row_number() over (
                partition by complete_snapshots_of_dates.date
                order by
                    complete_snapshots_of_dates.as_of asc,
                    complete_snapshots_of_dates.fetched_at asc,
                    complete_snapshots_of_dates.response_sha256 asc
            ) as snapshot_number
        from complete_snapshots_of_dates
    ) as numbered_snapshots
    where snapshot_number = 1

),

-- An entry the first figures hold and the latest do not (it fell into `other`) is not in
-- dim_models: its vendor comes from its permaslug, as staging derives it.
first_complete_rows as (

    select
        'first_complete' as vintage,
        snapshot_rows.date,
        snapshot_rows.model_permaslug,
        coalesce(entries.display_name, snapshot_rows.model_permaslug) as model_name,
        coalesce(entries.vendor_slug, vendors.vendor_slug, 'unknown') as vendor_slug,
        coalesce(entries.vendor_name, vendors.vendor_name, snapshot_rows.model_permaslug)
            as vendor_name,
        case
            when snapshot_rows.is_other then 'Unattributed'
            else coalesce(entries.region, vendors.region, 'Unattributed')
        end as region,
        snapshot_rows.is_other,
        snapshot_rows.total_tokens,
        snapshot_rows.as_of
    from snapshot_rows
    inner join first_complete_snapshots
        on snapshot_rows.date = first_complete_snapshots.date
        and snapshot_rows.response_sha256 = first_complete_snapshots.response_sha256
    left join entries
        on snapshot_rows.model_permaslug = entries.model_permaslug
    left join vendors
        on regexp_replace(split_part(snapshot_rows.model_permaslug, '/', 1), '^~+', '')
        = vendors.vendor_slug

),

latest_rows as (

    select
        'latest' as vintage,
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
    where daily_tokens.source != 'api' or daily_tokens.date < {{ utc_date('daily_tokens.as_of') }}

)

select * from first_complete_rows
union all
select * from latest_rows
