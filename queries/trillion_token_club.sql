-- The trillion-token club: every model that reached 1T cumulative tokens, how many days it
-- took from its first day in the data, and whether it went on to 2T and 5T.
-- Run: duckdb -readonly data/warehouse.duckdb -f queries/trillion_token_club.sql
with model_milestones as (

    select * from marts.mart_token_milestones
    where level = 'model'

)

select
    model_milestones.model_permaslug,
    min(model_milestones.first_seen_date) as first_seen_date,
    max(case when model_milestones.threshold_tokens = 1e12 then model_milestones.crossed_on end)
        as crossed_1t_on,
    max(case when model_milestones.threshold_tokens = 1e12 then model_milestones.days_to_cross end)
        as days_to_1t,
    max(case when model_milestones.threshold_tokens = 2e12 then model_milestones.days_to_cross end)
        as days_to_2t,
    max(case when model_milestones.threshold_tokens = 5e12 then model_milestones.days_to_cross end)
        as days_to_5t,
    any_value(publication.citation) as citation
from model_milestones
cross join marts.publication as publication
group by model_milestones.model_permaslug
having crossed_1t_on is not null
order by days_to_1t asc, model_milestones.model_permaslug asc;
