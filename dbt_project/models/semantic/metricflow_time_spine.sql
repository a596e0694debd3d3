-- One row per day: the calendar MetricFlow joins metrics to (dbt's time spine). It covers the
-- Data API's history from 2025-01-01 and the years after it.
{{ config(materialized='table', schema='marts', contract={'enforced': true}) }}

with days as (

    {{ dbt.date_spine('day', "cast('2025-01-01' as date)", "cast('2031-01-01' as date)") }}

)

select cast(date_day as date) as date_day
from days
