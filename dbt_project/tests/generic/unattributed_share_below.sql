{#- Fails when tokens of named models (the `other` tail excluded) whose region is `Unattributed`
    are `max_share` or more of all named models' tokens: too many vendors lack a country in the
    vendor_countries seed. -#}
{% test unattributed_share_below(model, max_share) %}

with named_model_tokens as (

    select
        sum(case when region = 'Unattributed' then total_tokens else 0 end) as unattributed_tokens,
        sum(total_tokens) as named_tokens
    from {{ model }}
    where vendor_slug <> 'other'

)

select
    unattributed_tokens,
    named_tokens,
    cast(unattributed_tokens as double) / named_tokens as unattributed_share
from named_model_tokens
where named_tokens > 0
    and cast(unattributed_tokens as double) / named_tokens >= {{ max_share }}

{% endtest %}
