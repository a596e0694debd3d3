-- Tokens per vendor headquarters country and calendar month. `ZZ` (unattributed) is not a
-- country: it gets no rank.
{{
    monthly_dimension_mart(
        name='country',
        key='country_code',
        attributes=['country_name', 'region'],
        unranked=['ZZ', 'XU']
    )
}}
