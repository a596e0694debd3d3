{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail',
        meta={'rebuilt_rows': 'week_start >= $first_week'}
    )
}}

-- Tokens per vendor and ISO week. The `other` tail is not a vendor: it gets no rank.
{{
    weekly_dimension_mart(
        name='vendor',
        key='vendor_slug',
        attributes=['vendor_name', 'country_code', 'region'],
        unranked='other'
    )
}}
