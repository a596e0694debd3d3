-- Estimated spend per ranked entry and ISO week, as a range. The rankings give total tokens
-- without the prompt/completion split, so the spend lies between all tokens at the cheaper of the
-- two prices and all at the dearer, at the catalogue prices in force: the newest snapshot taken
-- by the end of the week, else (weeks before the first snapshot held) the oldest one after it.
-- An estimate, never one number; the `other` tail has no price and is left out.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    where not is_other

),

entries as (

    select * from {{ ref('dim_models') }}

),

catalog_prices as (

    select * from {{ ref('stg_openrouter__catalog_prices') }}

),

weekly_entry_tokens as (

    select
        week_start,
        model_permaslug,
        cast(sum(total_tokens) as bigint) as total_tokens
    from daily_tokens
    group by week_start, model_permaslug

),

candidate_prices as (

    select
        weekly_entry_tokens.week_start,
        weekly_entry_tokens.model_permaslug,
        catalog_prices.prompt_usd_per_mtok,
        catalog_prices.completion_usd_per_mtok,
        catalog_prices.catalog_as_of,
        row_number() over (
            partition by weekly_entry_tokens.week_start, weekly_entry_tokens.model_permaslug
            order by
                case
                    when cast(catalog_prices.catalog_as_of as date)
                        <= cast(
                            {{ dbt.dateadd('day', 6, 'weekly_entry_tokens.week_start') }} as date
                        )
                        then 0
                    else 1
                end,
                abs({{ dbt.datediff(
                    "cast(catalog_prices.catalog_as_of as date)",
                    "cast(" ~ dbt.dateadd('day', 6, 'weekly_entry_tokens.week_start') ~ " as date)",
                    'day'
                ) }}),
                catalog_prices.catalog_as_of desc
        ) as preference
    from weekly_entry_tokens
    inner join entries
        on weekly_entry_tokens.model_permaslug = entries.model_permaslug
    inner join catalog_prices
        on entries.canonical_slug = catalog_prices.canonical_slug
        and coalesce(entries.variant, '') = coalesce(catalog_prices.variant, '')

),

prices_in_force as (

    select * from candidate_prices
    where preference = 1

),

-- A free variant costs nothing even where the catalogue lists only the paid id.
priced_weeks as (

    select
        weekly_entry_tokens.week_start,
        weekly_entry_tokens.model_permaslug,
        entries.display_name,
        entries.model_family,
        entries.vendor_slug,
        weekly_entry_tokens.total_tokens,
        case
            when entries.variant = 'free' then coalesce(prices_in_force.prompt_usd_per_mtok, 0)
            else prices_in_force.prompt_usd_per_mtok
        end as prompt_usd_per_mtok,
        case
            when entries.variant = 'free' then coalesce(prices_in_force.completion_usd_per_mtok, 0)
            else prices_in_force.completion_usd_per_mtok
        end as completion_usd_per_mtok,
        prices_in_force.catalog_as_of as prices_as_of
    from weekly_entry_tokens
    inner join entries
        on weekly_entry_tokens.model_permaslug = entries.model_permaslug
    left join prices_in_force
        on weekly_entry_tokens.week_start = prices_in_force.week_start
        and weekly_entry_tokens.model_permaslug = prices_in_force.model_permaslug

)

select
    week_start,
    model_permaslug,
    display_name,
    model_family,
    vendor_slug,
    total_tokens,
    prompt_usd_per_mtok,
    completion_usd_per_mtok,
    prices_as_of,
    coalesce(
        cast(prices_as_of as date) > cast({{ dbt.dateadd('day', 6, 'week_start') }} as date), false
    )
        as prices_from_later_snapshot,
    cast(total_tokens as double) / 1000000 * least(prompt_usd_per_mtok, completion_usd_per_mtok)
        as spend_low_usd,
    cast(total_tokens as double) / 1000000 * greatest(prompt_usd_per_mtok, completion_usd_per_mtok)
        as spend_high_usd
from priced_weeks
