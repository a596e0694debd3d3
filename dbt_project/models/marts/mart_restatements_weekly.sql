-- How much was restated, per ISO week: of the week's dates that more than one snapshot covered,
-- how many entries changed and by how much, between each date's first and latest snapshot.
with restatements as (

    select * from {{ ref('mart_restatements') }}

)

select
    week_start,
    cast(count(distinct date) as integer) as restated_dates,
    cast(count(*) as integer) as entries_compared,
    cast(sum(case when absolute_change <> 0 then 1 else 0 end) as integer) as entries_changed,
    cast(sum(coalesce(first_tokens, 0)) as bigint) as first_total_tokens,
    cast(sum(coalesce(latest_tokens, 0)) as bigint) as latest_total_tokens,
    cast(sum(absolute_change) as bigint) as net_change_tokens,
    cast(sum(abs(absolute_change)) as bigint) as gross_change_tokens,
    {{ growth_pct('sum(coalesce(latest_tokens, 0))', 'sum(coalesce(first_tokens, 0))') }}
        as net_change_pct,
    cast(max(snapshots) as integer) as max_snapshots_per_date
from restatements
group by week_start
