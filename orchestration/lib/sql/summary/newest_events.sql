-- The newest active ranking events of the weekly kinds and milestones (daily top-N entries are
-- too many for a summary), newest first.
select
    mart_ranking_events.event_date,
    mart_ranking_events.headline
from marts.mart_ranking_events
where mart_ranking_events.status = 'active'
    and mart_ranking_events.event_kind != 'entered_daily_top_n'
order by mart_ranking_events.event_date desc, mart_ranking_events.event_kind asc,
    mart_ranking_events.subject asc
limit getvariable('rows_shown')
