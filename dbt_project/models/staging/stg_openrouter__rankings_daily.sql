-- The latest snapshot of each date wins, whichever feed (Data API, exports, sample) it came from.
-- A date's snapshot is a whole picture of that day (top 50 plus `other`), so rows of older
-- snapshots are dropped even when the newer one lacks a model (it moved into `other`); keeping
-- them would count its tokens twice.
with raw_rows as (

    select * from {{ rankings_daily_lake(source('openrouter', 'raw_rankings_daily')) }}

),

-- An aggregate and a join, not a window filter: DuckDB's window with a rank filter keeps a
-- buffer per date partition and runs out of memory on long histories.
latest_snapshot_per_date as (

    select
        date,
        max((as_of, fetched_at, response_sha256)) as latest_snapshot
    from raw_rows
    group by date

),

latest_snapshot_rows as (

    select raw_rows.*
    from raw_rows
    inner join latest_snapshot_per_date
        on raw_rows.date = latest_snapshot_per_date.date
        and (raw_rows.as_of, raw_rows.fetched_at, raw_rows.response_sha256)
            = latest_snapshot_per_date.latest_snapshot

)

select
    date,
    model_permaslug,
    split_part(model_permaslug, ':', 1) as base_permaslug,
    nullif(split_part(model_permaslug, ':', 2), '') as variant,
    case
        when is_other then 'other'
        else {{ vendor_slug_of('model_permaslug') }}
    end as vendor_slug,
    is_other,
    total_tokens,
    share_of_daily_tokens,
    rank_in_day,
    as_of,
    -- Files written before the exports were read call the Data API `live`.
    case when source = 'live' then 'api' else source end as source,
    response_sha256
from latest_snapshot_rows
