-- Tokens per region and calendar month. `Unattributed` and `Undisclosed` get no rank.
{{
    monthly_dimension_mart(
        name='region',
        key='region',
        unranked=['Unattributed', 'Undisclosed']
    )
}}
