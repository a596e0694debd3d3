-- The #1 model of the latest complete week: its week, name, tokens and share.
select
    growth.week_start,
    models.display_name,
    growth.total_tokens,
    growth.token_share
from marts.mart_model_weekly_growth as growth
inner join marts.dim_models as models
    on growth.model_permaslug = models.model_permaslug
where
    growth.model_rank = 1
    and growth.week_start = (
        select max(complete.week_start)
        from marts.mart_model_weekly_growth as complete
        where complete.is_complete_week
    )
