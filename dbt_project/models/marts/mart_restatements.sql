-- How figures were restated: for every date more than one snapshot covered, each entry of its
-- first or latest snapshot with both figures, their as_of, and the change. An entry missing from
-- one of the two snapshots (it moved in or out of the top 50) has NULL there and counts as 0 in
-- the change. The two snapshots may come from different feeds (an exports file revising a Data
-- API figure, say): each side names its own. Incremental by date, as the daily fact.
with snapshot_rows as (

    select * from {{ ref('stg_openrouter__rankings_snapshot_rows') }}
    {% if is_incremental() %}
    where {{ rebuilt_rows() }}
    {% endif %}

),

snapshots_of_dates as (

    select distinct
date,
as_of,
fetched_at,
response_sha256,
source
    from snapshot_rows

),

snapshots_in_order as (

    select
        snapshots_of_dates.*,
        row_number() over (
            partition by snapshots_of_dates.date
            order by
                snapshots_of_dates.as_of asc,
                snapshots_of_dates.fetched_at asc,
                snapshots_of_dates.response_sha256 asc
        ) as snapshot_number,
        count(*) over (partition by snapshots_of_dates.date) as snapshots_of_date
    from snapshots_of_dates

),

first_snapshots as (

    select * from snapshots_in_order
    where snapshot_number = 1 and snapshots_of_date > 1

),

latest_snapshots as (

    select * from snapshots_in_order
    where snapshot_number = snapshots_of_date and snapshots_of_date > 1

),

first_rows as (

    select snapshot_rows.*
    from snapshot_rows
    inner join first_snapshots
        on snapshot_rows.date = first_snapshots.date
        and snapshot_rows.response_sha256 = first_snapshots.response_sha256

),

latest_rows as (

    select snapshot_rows.*
    from snapshot_rows
    inner join latest_snapshots
        on snapshot_rows.date = latest_snapshots.date
        and snapshot_rows.response_sha256 = latest_snapshots.response_sha256

),

compared_entries as (

    select
        coalesce(first_rows.date, latest_rows.date) as date,
        coalesce(first_rows.model_permaslug, latest_rows.model_permaslug) as model_permaslug,
        coalesce(first_rows.is_other, latest_rows.is_other) as is_other,
        first_rows.total_tokens as first_tokens,
        latest_rows.total_tokens as latest_tokens
    from first_rows
    full outer join latest_rows
        on first_rows.date = latest_rows.date
        and first_rows.model_permaslug = latest_rows.model_permaslug

)

select
    compared_entries.date,
    cast({{ dbt.date_trunc('week', 'compared_entries.date') }} as date) as week_start,
    compared_entries.model_permaslug,
    compared_entries.is_other,
    cast(first_snapshots.snapshots_of_date as integer) as snapshots,
    first_snapshots.as_of as first_as_of,
    first_snapshots.source as first_source,
    cast(compared_entries.first_tokens as bigint) as first_tokens,
    latest_snapshots.as_of as latest_as_of,
    latest_snapshots.source as latest_source,
    cast(compared_entries.latest_tokens as bigint) as latest_tokens,
    cast(
        coalesce(compared_entries.latest_tokens, 0)
        - coalesce(compared_entries.first_tokens, 0) as bigint
    )
        as absolute_change,
    {{ growth_pct('coalesce(compared_entries.latest_tokens, 0)', 'compared_entries.first_tokens') }}
        as relative_change_pct
from compared_entries
inner join first_snapshots
    on compared_entries.date = first_snapshots.date
inner join latest_snapshots
    on compared_entries.date = latest_snapshots.date
