-- The active ranking events of the charted weeks (daily top-N entries left out: too many to
-- draw), for the events timeline.
select
    mart_ranking_events.event_date,
    mart_ranking_events.event_kind,
    mart_ranking_events.headline
from marts.mart_ranking_events
where mart_ranking_events.status = 'active'
    and mart_ranking_events.event_kind != 'entered_daily_top_n'
    and mart_ranking_events.event_date >= (
        select max(latest.event_date) - cast(getvariable('charted_days') as integer)
        from marts.mart_ranking_events as latest
    )
order by mart_ranking_events.event_date asc, mart_ranking_events.event_kind asc,
    mart_ranking_events.headline asc
