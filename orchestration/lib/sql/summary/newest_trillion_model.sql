-- The model that most recently crossed one trillion cumulative tokens, when, and how long after
-- its launch (or its first day in the data).
select
    models.display_name,
    milestones.crossed_on,
    milestones.days_from_launch,
    milestones.days_to_cross
from marts.mart_token_milestones as milestones
inner join marts.dim_models as models
    on milestones.model_permaslug = models.model_permaslug
where milestones.level = 'model' and milestones.threshold_tokens = 1e12
order by milestones.crossed_on desc, models.display_name asc
limit 1
