-- Tokens per vendor headquarters country and ISO week. `ZZ` (unattributed) is not a country:
-- it gets no rank.
{{
    weekly_dimension_mart(
        name='country',
        key='country_code',
        attributes=['country_name', 'region'],
        unranked=['ZZ', 'XU']
    )
}}
