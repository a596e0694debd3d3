-- Each latest daily row with its catalogue entry and its vendor's country and region.
-- Unmapped vendors and the `other` tail row land in `Unattributed` (stealth and cloaked models in
-- `Undisclosed`, from the seed); no row is dropped.
with daily_rows as (

    select * from {{ ref('stg_openrouter__rankings_daily') }}

),

catalog_matches as (

    select * from {{ ref('int_catalog_models_by_ranked_slug') }}

),

vendors as (

    select * from {{ ref('stg_reference__vendor_countries') }}

),

rows_with_catalog as (

    select
        daily_rows.*,
        catalog_matches.model_name as catalog_model_name,
        catalog_matches.open_weights as catalog_open_weights,
        catalog_matches.created_date as catalog_created_date
    from daily_rows
    left join catalog_matches
        on daily_rows.base_permaslug = catalog_matches.ranked_slug

)

select
    rows_with_catalog.date,
    rows_with_catalog.model_permaslug,
    rows_with_catalog.base_permaslug,
    rows_with_catalog.variant,
    case
        when rows_with_catalog.is_other then 'Other models (outside the daily top 50)'
        else coalesce(rows_with_catalog.catalog_model_name, rows_with_catalog.model_permaslug)
    end as model_name,
    rows_with_catalog.vendor_slug,
    case
        when rows_with_catalog.is_other then 'Other models'
        else coalesce(vendors.vendor_name, rows_with_catalog.vendor_slug)
    end as vendor_name,
    case when rows_with_catalog.is_other then 'ZZ' else coalesce(vendors.country_code, 'ZZ') end
        as country_code,
    case
        when rows_with_catalog.is_other then 'Unattributed'
        else coalesce(vendors.country_name, 'Unattributed')
    end as country_name,
    case
        when rows_with_catalog.is_other then 'Unattributed'
        else coalesce(vendors.region, 'Unattributed')
    end as region,
    vendors.vendor_slug is not null as is_vendor_mapped,
    case
        when not rows_with_catalog.is_other
            then coalesce(rows_with_catalog.catalog_open_weights, vendors.vendor_open_weights)
    end as open_weights,
    rows_with_catalog.catalog_created_date,
    rows_with_catalog.is_other,
    rows_with_catalog.total_tokens,
    rows_with_catalog.share_of_daily_tokens,
    rows_with_catalog.rank_in_day,
    rows_with_catalog.as_of,
    rows_with_catalog.source
from rows_with_catalog
left join vendors
    on rows_with_catalog.vendor_slug = vendors.vendor_slug
