-- Ranking events people want to hear about, one row per event: launches into the top N,
-- overtakes of models, vendors and regions, week-on-week surges and drops beyond a robust
-- (MAD) threshold, undisclosed models above a share, and milestones. Detected on complete days
-- and weeks only (int_ranking_events_daily, _weekly), on the latest figures and on the figures
-- as first published complete: an event a restatement removed stays, `withdrawn`, so that an
-- alert already sent can be taken back and never silently disappears.
with detected_events as (

    select * from {{ ref('int_ranking_events_daily') }}
    union all
    select * from {{ ref('int_ranking_events_weekly') }}

),

identified_events as (

    select
        detected_events.*,
        case
            when
                detected_events.event_kind in (
                    'entered_daily_top_n', 'undisclosed_share', 'model_milestone',
            'vendor_milestone') then 'day' else 'week' end as grain,
        {{ dbt.hash(dbt.concat([
            "event_kind", "'|'",
            "cast(event_date as " ~ dbt.type_string() ~ ")", "'|'",
            "subject_kind", "'|'",
            "subject", "'|'",
            "coalesce(other_subject, '')", "'|'",
            "key_detail",
        ])) }} as event_id
    from detected_events

),

latest_events as (

    select * from identified_events
    where vintage = 'latest'

),

first_complete_events as (

    select * from identified_events
    where vintage = 'first_complete'

),

reconciled_events as (

    select
        coalesce(latest_events.event_id, first_complete_events.event_id) as event_id,
        coalesce(latest_events.event_kind, first_complete_events.event_kind) as event_kind,
        coalesce(latest_events.grain, first_complete_events.grain) as grain,
        coalesce(latest_events.event_date, first_complete_events.event_date) as event_date,
        coalesce(latest_events.subject_kind, first_complete_events.subject_kind) as subject_kind,
        coalesce(latest_events.subject, first_complete_events.subject) as subject,
        coalesce(latest_events.subject_name, first_complete_events.subject_name) as subject_name,
        coalesce(latest_events.other_subject, first_complete_events.other_subject)
            as other_subject,
        coalesce(latest_events.other_subject_name, first_complete_events.other_subject_name)
            as other_subject_name,
        coalesce(latest_events.measure, first_complete_events.measure) as measure,
        coalesce(latest_events.measured_value, first_complete_events.measured_value)
            as measured_value,
        coalesce(latest_events.threshold, first_complete_events.threshold) as threshold,
        first_complete_events.measured_value as first_complete_value,
        case when latest_events.event_id is null then 'withdrawn' else 'active' end as status,
        first_complete_events.event_id is null as raised_by_restatement,
        coalesce(latest_events.as_of, first_complete_events.as_of) as as_of
    from latest_events
    full outer join first_complete_events
        on latest_events.event_id = first_complete_events.event_id

)

select
    event_id,
    event_kind,
    grain,
    event_date,
    subject_kind,
    subject,
    subject_name,
    other_subject,
    other_subject_name,
    measure,
    measured_value,
    threshold,
    {{ event_headline() }} as headline,
    status,
    first_complete_value,
    raised_by_restatement,
    as_of
from reconciled_events
