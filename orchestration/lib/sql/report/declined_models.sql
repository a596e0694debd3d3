-- How many models ranked in week $week and the week before had fewer tokens than the week before.
select count(*) as declined
from marts.mart_model_weekly_growth as growth
inner join marts.dim_models as models
    on growth.model_permaslug = models.model_permaslug
where
    growth.week_start = getvariable('week')
    and growth.model_rank is not null
    and growth.wow_growth_pct < 0
