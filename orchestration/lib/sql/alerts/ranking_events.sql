-- Every ranking event of the published warehouse, oldest first, for the alert sensor
-- (orchestration/defs/alerts.py): it posts each new active event once, and a withdrawal once for
-- a posted event that a restatement took back.
select
    event_id,
    event_kind,
    event_date,
    subject,
    measured_value,
    threshold,
    headline,
    status,
    as_of
from marts.mart_ranking_events
order by event_date, event_kind, event_id
