-- How many models crossed $threshold_tokens, and how many of them were launched before the data
-- begins (or have no launch date), so their whole life is not held.
select
    count(*) as members,
    count(*) filter (
        where
            models.launch_date is null
            or models.launch_date
            < (select publication.first_date from marts.publication as publication)
    ) as launched_before
from marts.mart_token_milestones as milestones
inner join marts.dim_models as models
    on milestones.model_permaslug = models.model_permaslug
where milestones.level = 'model' and milestones.threshold_tokens = getvariable('threshold_tokens')
