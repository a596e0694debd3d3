-- The latest snapshot of each date wins. A date's snapshot is a whole picture of that day (top 50
-- plus `other`), so rows of older snapshots are dropped even when the newer one lacks a model
-- (it moved into `other`); keeping them would count its tokens twice.
with raw_rows as (

    select * from {{ source('openrouter', 'raw_rankings_daily') }}

),

latest_snapshot_rows as (

    select *
    from raw_rows
    qualify dense_rank() over (
        partition by date
        order by as_of desc, fetched_at desc, response_sha256 desc
    ) = 1

)

select
    date,
    model_permaslug,
    split_part(model_permaslug, ':', 1) as base_permaslug,
    nullif(split_part(model_permaslug, ':', 2), '') as variant,
    case
        when is_other then 'other'
        else ltrim(split_part(model_permaslug, '/', 1), '~')
    end as vendor_slug,
    is_other,
    total_tokens,
    rank_in_day,
    as_of,
    source,
    response_sha256
from latest_snapshot_rows
