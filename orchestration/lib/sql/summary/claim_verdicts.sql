-- How many published claims the warehouse reproduces, finds different, or cannot test.
select
    count(distinct case when claim_verdict = 'reproduced' then claim_id end) as reproduced,
    count(distinct case when claim_verdict = 'differs' then claim_id end) as differs,
    count(distinct case when claim_verdict = 'not testable' then claim_id end) as not_testable
from marts.mart_claim_checks
