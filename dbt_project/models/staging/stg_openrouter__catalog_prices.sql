-- One row per catalogue snapshot and model id: the prices listed for that id at that snapshot,
-- in USD per million tokens. A `:free` id is a row of its own. The API marks prices it cannot
-- state (routers such as openrouter/auto) as negative: they become NULL.
with catalog_rows as (

    select * from {{ source('openrouter', 'raw_models_catalog') }}

),

listed_prices as (

    select
        id as model_id,
        canonical_slug,
        nullif(split_part(id, ':', 2), '') as variant,
        cast(try_cast(prompt_price as decimal(38, 18)) * 1000000 as double) as prompt_price,
        cast(try_cast(completion_price as decimal(38, 18)) * 1000000 as double) as completion_price,
        as_of as catalog_as_of
    from catalog_rows

)

select
    model_id,
    canonical_slug,
    variant,
    case when prompt_price >= 0 then prompt_price end as prompt_usd_per_mtok,
    case when completion_price >= 0 then completion_price end as completion_usd_per_mtok,
    catalog_as_of
from listed_prices
