-- How were figures restated? Per week, the dates that more than one snapshot covered, how many
-- entries changed between a date's first and latest snapshot, and by how much. One row saying
-- so when the data holds no restated date (the bundled sample has one snapshot per date).
-- Run: .venv/bin/duckdb -readonly data/warehouse.duckdb -f queries/restated_figures.sql
select
    restated.week_start,
    coalesce(restated.restated_dates, 0) as restated_dates,
    coalesce(restated.entries_changed, 0) as entries_changed,
    restated.first_total_tokens,
    restated.latest_total_tokens,
    restated.net_change_tokens,
    restated.gross_change_tokens,
    round(restated.net_change_pct, 3) as net_change_pct,
    case
        when
            restated.week_start is null
            then 'no date in the data held was covered by more than one snapshot'
    end as note,
    publication.source,
    publication.citation
from marts.publication as publication
left join marts.mart_restatements_weekly as restated on true
order by restated.week_start desc;
