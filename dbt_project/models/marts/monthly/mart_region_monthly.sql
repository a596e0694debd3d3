-- Tokens per region and calendar month. `Unattributed` gets no rank.
{{
    monthly_dimension_mart(
        name='region',
        key='region',
        unranked='Unattributed'
    )
}}
