-- The past milestone forecasts scored so far: how many, how many hit, how often the interval
-- covered the crossing.
select
    count(*) as scored,
    count(*) filter (where outcome = 'hit') as hits,
    avg(case when interval_covered then 1.0 else 0.0 end) as interval_coverage
from marts.mart_forecast_scores
