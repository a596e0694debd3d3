-- The catalogue entry each ranked slug (a rankings permaslug without its variant) stands for:
-- the entry whose canonical slug it is, else the entry whose id it is (some ranked slugs are
-- catalogue ids). The one place rankings are matched to the catalogue.
with catalog_models as (

    select * from {{ ref('stg_openrouter__models_catalog') }}

),

match_candidates as (

    select
        catalog_models.canonical_slug as ranked_slug,
        1 as match_priority,
        catalog_models.*
    from catalog_models
    union all
    select
        catalog_models.model_id as ranked_slug,
        2 as match_priority,
        catalog_models.*
    from catalog_models

),

matches_in_order as (

    select
        match_candidates.*,
        row_number() over (
            partition by match_candidates.ranked_slug
            order by match_candidates.match_priority asc, match_candidates.canonical_slug asc
        ) as preference
    from match_candidates

)

select
    ranked_slug,
    model_id,
    canonical_slug,
    model_name,
    created_date,
    context_length,
    modality,
    open_weights
from matches_in_order
where preference = 1
