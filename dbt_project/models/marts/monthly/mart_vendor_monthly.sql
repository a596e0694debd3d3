-- Tokens per vendor and calendar month. The `other` tail is not a vendor: it gets no rank.
{{
    monthly_dimension_mart(
        name='vendor',
        key='vendor_slug',
        attributes=['vendor_name', 'country_code', 'region'],
        unranked=['other']
    )
}}
