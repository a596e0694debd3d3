-- One row per canonical slug, from the newest catalogue snapshot that lists it (so models
-- retired since keep their names). Several ids share a canonical slug (`minimax/minimax-m2.5`,
-- `minimax/minimax-m2.5:free`): the id without a variant is preferred.
with catalog_rows as (

    select * from {{ source('openrouter', 'raw_models_catalog') }}

),

-- A numbered subquery, not QUALIFY, which Spark SQL does not have.
ranked_ids_per_slug as (

    select
        *,
        row_number() over (
            partition by canonical_slug
            order by as_of desc, (id like '%:%') asc, length(id) asc, id asc
        ) as preference
    from catalog_rows

),

preferred_id_per_slug as (

    select * from ranked_ids_per_slug
    where preference = 1

)

select
    id as model_id,
    canonical_slug,
    name as model_name,
    {{ utc_date('created') }} as created_date,
    context_length,
    modality,
    coalesce(trim(hugging_face_id), '') <> '' as open_weights,
    try_cast(prompt_price as decimal(38, 18)) as prompt_price_usd_per_token,
    try_cast(completion_price as decimal(38, 18)) as completion_price_usd_per_token,
    as_of as catalog_as_of
from preferred_id_per_slug
