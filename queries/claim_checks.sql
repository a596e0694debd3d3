-- Published claims about the rankings, tested against the warehouse: each claim, who published
-- it where, the warehouse's figure under the reading that decides its verdict (a reading with
-- that verdict, the reading as reported first, then the closest), and the verdict. Every
-- reading: select * from marts.mart_claim_checks.
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/claim_checks.sql
select
    mart_claim_checks.claim_id,
    mart_claim_checks.claim,
    mart_claim_checks.publisher,
    mart_claim_checks.published_on,
    mart_claim_checks.url,
    mart_claim_checks.claimed_value,
    mart_claim_checks.computed_value,
    mart_claim_checks.claim_verdict as verdict,
    mart_claim_checks.window_reading || ', ' || mart_claim_checks.reading_scope
        as deciding_reading,
    mart_claim_checks.not_testable_reason,
    publication.citation
from marts.mart_claim_checks
cross join marts.publication as publication
where mart_claim_checks.is_deciding_reading
order by
    mart_claim_checks.claim_verdict desc,
    mart_claim_checks.published_on asc,
    mart_claim_checks.claim_id asc;
