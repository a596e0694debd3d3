{#- Fails for each row whose published share of the day (the exports' share_of_daily_tokens)
    differs by more than `tolerance` from the share the warehouse computes (its tokens over the
    day's total, `other` included), and for each day whose published shares do not sum to 1
    within `tolerance`. Rows without a published share (Data API, sample) are not tested. -#}
{% test published_shares_match(model, column_name, tolerance) %}

with model_rows as (

    select * from {{ model }}

),

day_totals as (

    select
        date,
        sum(total_tokens) as day_tokens,
        sum({{ column_name }}) as published_share_sum,
        count({{ column_name }}) as published_rows
    from model_rows
    group by date

),

row_differences as (

    select
        rows_of_days.date,
        rows_of_days.model_permaslug,
        rows_of_days.{{ column_name }} as published_share,
        cast(rows_of_days.total_tokens as double) / day_totals.day_tokens as computed_share
    from model_rows as rows_of_days
    inner join day_totals
        on rows_of_days.date = day_totals.date
    where rows_of_days.{{ column_name }} is not null

),

day_differences as (

    select
        date,
        'the whole day' as model_permaslug,
        published_share_sum as published_share,
        1.0 as computed_share
    from day_totals
    where published_rows > 0

)

select * from row_differences
where abs(published_share - computed_share) > {{ tolerance }}
union all
select * from day_differences
where abs(published_share - computed_share) > {{ tolerance }}

{% endtest %}
