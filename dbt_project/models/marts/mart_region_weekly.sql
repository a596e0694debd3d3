{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='week_start',
        on_schema_change='fail',
        meta={'rebuilt_rows': 'week_start >= $first_week'}
    )
}}

-- Tokens per region and ISO week: the race between Chinese and US models. Only attributed
-- regions compete for the lead; `Unattributed` gets no rank.
{{
    weekly_dimension_mart(
        name='region',
        key='region',
        unranked='Unattributed',
        leader_flag=true
    )
}}
