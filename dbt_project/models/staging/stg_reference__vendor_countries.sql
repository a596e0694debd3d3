select
    author_slug as vendor_slug,
    organization as vendor_name,
    country_code,
    country_name,
    region,
    case open_weights_policy when 'yes' then true when 'no' then false end as vendor_open_weights,
    open_weights_policy
from {{ ref('vendor_countries') }}
