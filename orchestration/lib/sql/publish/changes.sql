-- What a publish changes against the previous one (attached as `previous`): days added, days
-- whose figures were restated (their tokens changed) and days taken out, from the daily fact.
with new_days as (

    select
        date,
        count(*) as row_count,
        sum(total_tokens) as tokens
    from pub.marts.fct_model_daily_tokens
    group by date

),

previous_days as (

    select
        date,
        sum(total_tokens) as tokens
    from previous.marts.fct_model_daily_tokens
    group by date

),

compared_days as (

    select
        new_days.row_count,
        new_days.tokens as new_tokens,
        previous_days.tokens as previous_tokens,
        new_days.date is not null and previous_days.date is null as is_added,
        new_days.date is null as is_removed,
        new_days.tokens <> previous_days.tokens as is_restated
    from new_days
    full outer join previous_days
        on new_days.date = previous_days.date

)

select
    (select max(publication.published_at) from previous.marts.publication as publication)
        as previous_published_at,
    count(*) filter (where compared_days.is_added) as dates_added,
    coalesce(sum(compared_days.row_count) filter (where compared_days.is_added), 0) as rows_added,
    coalesce(sum(compared_days.new_tokens) filter (where compared_days.is_added), 0)
        as tokens_added,
    count(*) filter (where compared_days.is_restated) as dates_restated,
    coalesce(
        sum(compared_days.new_tokens - compared_days.previous_tokens)
            filter (where compared_days.is_restated),
        0
    ) as tokens_restated,
    count(*) filter (where compared_days.is_removed) as dates_removed
from compared_days
