-- Daily tokens per ranked entry (variants separate, `other` included): the grain every mart
-- aggregates. Incremental by data date: a run rebuilds only the dates of its window.
with enriched_rows as (

    select * from {{ ref('int_rankings_daily_enriched') }}
    {% if is_incremental() %}
    where {{ rebuilt_rows() }}
    {% endif %}

)

select
    date,
    cast(date_trunc('week', date) as date) as week_start,
    model_permaslug,
    base_permaslug,
    variant,
    model_name,
    vendor_slug,
    vendor_name,
    country_code,
    country_name,
    region,
    is_vendor_mapped,
    open_weights,
    is_other,
    cast(total_tokens as bigint) as total_tokens,
    cast(share_of_daily_tokens as double) as published_share,
    rank_in_day,
    as_of,
    source
from enriched_rows
