-- Tokens per region and ISO week: the race between Chinese and US models. Only attributed
-- regions compete for the lead; `Unattributed` and `Undisclosed` get no rank.
{{
    weekly_dimension_mart(
        name='region',
        key='region',
        unranked=['Unattributed', 'Undisclosed'],
        leader_flag=true
    )
}}
