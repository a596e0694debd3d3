-- How long from launch to 1T tokens? Days from the catalogue's launch date to each model's
-- first trillion, beside the days from its first appearance in the data held (shorter for models
-- already ranked on the data's first day). Models the catalogue does not list have no launch.
-- Run: .venv/bin/duckdb -readonly data/warehouse.duckdb -f queries/launch_to_trillion.sql
select
    entry.display_name,
    entry.model_family,
    milestone.launch_date,
    milestone.first_seen_date,
    milestone.crossed_on,
    milestone.days_from_launch,
    milestone.days_to_cross as days_from_first_seen,
    publication.source,
    publication.citation
from marts.mart_token_milestones as milestone
inner join marts.dim_models as entry on milestone.model_permaslug = entry.model_permaslug
cross join marts.publication as publication
where milestone.level = 'model'
    and milestone.threshold_tokens = 1000000000000
order by milestone.days_from_launch asc nulls last, milestone.crossed_on asc;
