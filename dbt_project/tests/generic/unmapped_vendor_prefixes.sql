{#- One row per vendor prefix of a named model that the vendor_countries seed does not list,
    with its tokens and its share of the named models' tokens over the rows tested: as a
    warning, it lists new prefixes to add to the seed; their tokens stay in every total under
    their own slug, region `Unattributed`, meanwhile. -#}
{% test unmapped_vendor_prefixes(model) %}

with named_rows as (

    select * from {{ model }}
    where not is_other

),

named_tokens as (

    select sum(total_tokens) as total_tokens from named_rows

)

select
    named_rows.vendor_slug,
    sum(named_rows.total_tokens) as total_tokens,
    cast(sum(named_rows.total_tokens) as double) / max(named_tokens.total_tokens) as token_share
from named_rows
cross join named_tokens
where not named_rows.is_vendor_mapped
group by named_rows.vendor_slug

{% endtest %}
