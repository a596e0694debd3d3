{#- Fails for every ISO week of the run's window (every week in a full build) whose total of
    `column_name` in the model differs from the raw lake's: the sum of the latest snapshot of each
    of the week's dates, recomputed here from the source, apart from the staging models. Exact
    integers, no tolerance. -#}
{% test reconciles_with_raw_lake(model, column_name) %}

with raw_rows_of_run_weeks as (

    select date, total_tokens, as_of, fetched_at, response_sha256
    from {{ source('openrouter', 'raw_rankings_daily') }}
    where {{ run_window_sql("cast(date_trunc('week', date) as date) between $first_week and $last_week") }}

),

newest_snapshot_of_date as (

    select date, max((as_of, fetched_at, response_sha256)) as snapshot
    from raw_rows_of_run_weeks
    group by date

),

raw_weeks as (

    select
        cast(date_trunc('week', raw_rows_of_run_weeks.date) as date) as week_start,
        sum(raw_rows_of_run_weeks.total_tokens) as tokens
    from raw_rows_of_run_weeks
    inner join newest_snapshot_of_date
        on raw_rows_of_run_weeks.date = newest_snapshot_of_date.date
        and newest_snapshot_of_date.snapshot = (
            raw_rows_of_run_weeks.as_of,
            raw_rows_of_run_weeks.fetched_at,
            raw_rows_of_run_weeks.response_sha256
        )
    group by 1

),

model_weeks as (

    select week_start, sum({{ column_name }}) as tokens
    from {{ model }}
    where {{ run_window_sql('week_start between $first_week and $last_week') }}
    group by week_start

)

select
    coalesce(raw_weeks.week_start, model_weeks.week_start) as week_start,
    raw_weeks.tokens as raw_tokens,
    model_weeks.tokens as model_tokens
from raw_weeks
full outer join model_weeks
    on raw_weeks.week_start = model_weeks.week_start
where raw_weeks.tokens is distinct from model_weeks.tokens

{% endtest %}
