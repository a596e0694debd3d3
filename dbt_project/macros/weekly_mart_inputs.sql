{#- The two inputs of every weekly mart, as CTEs: `daily_tokens` (the daily fact) and
    `weekly_totals` (the platform's tokens per week). An incremental run reads the weeks it
    rebuilds (the model's `meta.rebuilt_rows`), and daily rows of one more week before them when
    `with_previous_week`, for week-over-week figures. -#}
{% macro weekly_mart_inputs(with_previous_week=false) %}
daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    {% if is_incremental() %}
    where week_start >= {{ week_before_first_rebuilt_week() if with_previous_week else first_rebuilt_week() }}
    {% endif %}

),

weekly_totals as (

    select * from {{ ref('int_weekly_totals') }}
    {% if is_incremental() %}
    where {{ rebuilt_rows() }}
    {% endif %}

)
{%- endmacro %}
