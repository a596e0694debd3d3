-- The $top_growers models ranked in week $week and the week before whose tokens grew most.
select
    models.display_name,
    growth.total_tokens,
    growth.prev_week_tokens,
    round(growth.wow_growth_pct, 1) as wow_growth_pct
from marts.mart_model_weekly_growth as growth
inner join marts.dim_models as models
    on growth.model_permaslug = models.model_permaslug
where
    growth.week_start = getvariable('week')
    and growth.model_rank is not null
    and growth.wow_growth_pct > 0
order by growth.wow_growth_pct desc, models.display_name asc
limit getvariable('top_growers')
