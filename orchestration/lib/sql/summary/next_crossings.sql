-- The newest forecast week's next milestone crossings, soonest first, with display names.
with newest_forecasts as (

    select mart_milestone_forecasts.*
    from marts.mart_milestone_forecasts
    where mart_milestone_forecasts.forecast_week
        = (select max(latest.forecast_week) from marts.mart_milestone_forecasts as latest)

),

vendor_names as (

    select
        dim_models.vendor_slug,
        min(dim_models.vendor_name) as vendor_name
    from marts.dim_models as dim_models
    group by dim_models.vendor_slug

)

select
    coalesce(dim_models.display_name, vendor_names.vendor_name, newest_forecasts.subject)
        as subject_name,
    newest_forecasts.threshold_tokens,
    newest_forecasts.projected_date,
    newest_forecasts.low_date,
    newest_forecasts.high_date
from newest_forecasts
left join marts.dim_models as dim_models
    on newest_forecasts.level = 'model'
    and newest_forecasts.subject = dim_models.model_permaslug
left join vendor_names
    on newest_forecasts.level = 'vendor'
    and newest_forecasts.subject = vendor_names.vendor_slug
order by newest_forecasts.projected_date asc, newest_forecasts.subject asc
limit getvariable('rows_shown')
