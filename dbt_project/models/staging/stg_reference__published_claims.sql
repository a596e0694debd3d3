select
    claim_id,
    publisher,
    published_on,
    url,
    claim,
    window_as_reported,
    window_kind,
    window_start,
    window_end,
    scope_as_reported,
    scope,
    metric,
    subject_kind,
    subject,
    value as claimed_value,
    tolerance,
    baseline_weeks
from {{ ref('published_claims') }}
