-- What the published warehouse covers: days, the feeds its figures come from, the days no
-- snapshot holds (gaps) and the ISO weeks that are not whole because of them.
select
    count(*) as days,
    min(date) as first_date,
    max(date) as last_date,
    string_agg(distinct source, ', ' order by source) as feeds,
    count(*) filter (where not is_covered) as gap_days,
    list(date order by date) filter (where not is_covered) as gap_dates,
    count(distinct week_start) filter (where not is_complete_week) as incomplete_weeks,
    list(distinct week_start order by week_start) filter (where not is_complete_week)
        as incomplete_week_starts
from marts.mart_source_coverage
