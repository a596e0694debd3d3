-- One row per ranked entry (permaslug; `:free` and paid variants are separate entries; the
-- `other` tail is an entry too, so every daily row finds its entry). Each has a display name
-- unique across entries and true to its variant, a family that rolls variants and dated
-- releases up, and what the catalogue says of it. Entries the catalogue does not list (stealth
-- and retired models) keep what the rankings say, with `in_catalog` false.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

catalog_matches as (

    select * from {{ ref('int_catalog_models_by_ranked_slug') }}

),

catalog_prices as (

    select * from {{ ref('stg_openrouter__catalog_prices') }}

),

ranked_entries as (

    select
        model_permaslug,
        min(base_permaslug) as base_permaslug,
        min(variant) as variant,
        min(vendor_slug) as vendor_slug,
        min(vendor_name) as vendor_name,
        min(country_code) as country_code,
        min(country_name) as country_name,
        min(region) as region,
        bool_or(open_weights) as open_weights,
        bool_or(is_other) as is_other,
        min(date) as first_seen_date,
        max(date) as last_seen_date
    from daily_tokens
    group by model_permaslug

),

entries_with_catalog as (

    select
        ranked_entries.*,
        catalog_matches.canonical_slug,
        catalog_matches.model_id as catalog_model_id,
        catalog_matches.model_name as catalog_model_name,
        catalog_matches.created_date as launch_date,
        catalog_matches.context_length,
        catalog_matches.modality
    from ranked_entries
    left join catalog_matches
        on ranked_entries.base_permaslug = catalog_matches.ranked_slug

),

prices_by_recency as (

    select
        catalog_prices.*,
        row_number() over (
            partition by catalog_prices.canonical_slug, coalesce(catalog_prices.variant, '')
            order by catalog_prices.catalog_as_of desc, catalog_prices.model_id asc
        ) as recency

    from catalog_prices

),

latest_prices as (

    select * from prices_by_recency
    where recency = 1

),

-- A free variant costs nothing even where the catalogue lists only the paid id; a paid entry
-- whose catalogue lists only a free id has no known price.
entries_with_prices as (

    select
        entries_with_catalog.*,
        case
            when
                entries_with_catalog.variant = 'free'
                then coalesce(latest_prices.prompt_usd_per_mtok, 0)
            else latest_prices.prompt_usd_per_mtok
        end as prompt_usd_per_mtok,
        case
            when
                entries_with_catalog.variant = 'free'
                then coalesce(latest_prices.completion_usd_per_mtok, 0)
            else latest_prices.completion_usd_per_mtok
        end as completion_usd_per_mtok
    from entries_with_catalog
    left join latest_prices
        on entries_with_catalog.canonical_slug = latest_prices.canonical_slug
        and coalesce(entries_with_catalog.variant, '') = coalesce(latest_prices.variant, '')

),

-- The catalogue names a slug after one of its ids, sometimes the free one: the name without
-- its "(free)" is the model's, and the entry's own variant is added back.
named_entries as (

    select
        entries_with_prices.*,
        -- No backslashes: engines read them in string literals differently (Spark unescapes).
        trim(regexp_replace(entries_with_prices.catalog_model_name, ' *[(]free[)] *$', ''))
            as catalog_base_name,
        case
            when entries_with_prices.is_other then 'other'
            when
                entries_with_prices.catalog_model_id is not null
                then split_part(entries_with_prices.catalog_model_id, ':', 1)
            else
                regexp_replace(
                    entries_with_prices.base_permaslug,
                    '-([0-9]{8}|[0-9]{4}|[0-9]{2}-[0-9]{2})$',
                    ''
                )
        end as model_family
    from entries_with_prices

),

entries_with_display_names as (

    select
        named_entries.*,
        case
            when named_entries.is_other then 'Other models (outside the daily top 50)'
            when named_entries.catalog_base_name is null then named_entries.model_permaslug
            else
                named_entries.catalog_base_name
                || coalesce(' (' || named_entries.variant || ')', '')
        end as candidate_display_name
    from named_entries

)

select
    model_permaslug,
    -- Two entries with one name (dated releases of one catalogue model) keep their slug.
    case
        when count(*) over (partition by candidate_display_name) > 1
            then candidate_display_name || ' [' || model_permaslug || ']'
        else candidate_display_name
    end as display_name,
    base_permaslug,
    variant,
    model_family,
    coalesce(catalog_base_name, model_family) as model_family_name,
    vendor_slug,
    vendor_name,
    country_code,
    country_name,
    region,
    open_weights,
    catalog_model_id is not null as in_catalog,
    catalog_model_id,
    canonical_slug,
    launch_date,
    context_length,
    modality,
    prompt_usd_per_mtok,
    completion_usd_per_mtok,
    first_seen_date,
    last_seen_date,
    is_other
from entries_with_display_names
