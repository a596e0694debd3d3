{#- Where the Data API and the keyless exports both hold a date, fails for each model whose
    tokens differ by more than `tolerance` (relative) between the newest snapshot of each feed:
    `model` is the coverage mart (which dates both feeds hold), `snapshot_rows` every snapshot's
    rows. A warning: the feeds are independent, and the newer figure is the one used. -#}
{% test feeds_agree(model, snapshot_rows, tolerance) %}

with dates_in_both as (

    select date from {{ model }}
    where covered_by_api and covered_by_exports

),

feed_rows as (

    select
        snapshot_rows.*,
        case when snapshot_rows.source = 'exports' then 'exports' else 'api' end as feed
    from {{ snapshot_rows }} as snapshot_rows
    inner join dates_in_both
        on snapshot_rows.date = dates_in_both.date
    where snapshot_rows.source in ('api', 'exports')

),

newest_per_feed as (

    select
        date,
        feed,
        max(as_of) as newest_as_of
    from feed_rows
    group by date, feed

),

newest_rows as (

    select feed_rows.*
    from feed_rows
    inner join newest_per_feed
        on feed_rows.date = newest_per_feed.date
        and feed_rows.feed = newest_per_feed.feed
        and feed_rows.as_of = newest_per_feed.newest_as_of

),

compared as (

    select
        coalesce(api_rows.date, exports_rows.date) as date,
        coalesce(api_rows.model_permaslug, exports_rows.model_permaslug) as model_permaslug,
        api_rows.total_tokens as api_tokens,
        exports_rows.total_tokens as exports_tokens
    from (select * from newest_rows where feed = 'api') as api_rows
    full outer join (select * from newest_rows where feed = 'exports') as exports_rows
        on api_rows.date = exports_rows.date
        and api_rows.model_permaslug = exports_rows.model_permaslug

)

select
    date,
    model_permaslug,
    api_tokens,
    exports_tokens,
    cast(coalesce(exports_tokens, 0) - coalesce(api_tokens, 0) as double)
        / nullif(greatest(coalesce(api_tokens, 0), coalesce(exports_tokens, 0)), 0)
        as relative_difference
from compared
where abs(coalesce(exports_tokens, 0) - coalesce(api_tokens, 0))
    > {{ tolerance }} * greatest(coalesce(api_tokens, 0), coalesce(exports_tokens, 0))

{% endtest %}
