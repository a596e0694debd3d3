{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail',
        meta={'rebuilt_rows': 'week_start >= $first_week'}
    )
}}

-- Tokens per vendor headquarters country and ISO week. `ZZ` (unattributed) is not a country:
-- it gets no rank.
{{
    weekly_dimension_mart(
        name='country',
        key='country_code',
        attributes=['country_name', 'region'],
        unranked='ZZ'
    )
}}
