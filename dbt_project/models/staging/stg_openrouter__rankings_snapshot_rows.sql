-- Every row of every snapshot the lake holds (no latest-wins): what restatements compare.
-- A snapshot is one response: its as_of, when it was received and its body's SHA-256.
with raw_rows as (

    select * from {{ rankings_daily_lake(source('openrouter', 'raw_rankings_daily')) }}

)

select
    date,
    model_permaslug,
    is_other,
    total_tokens,
    share_of_daily_tokens,
    as_of,
    fetched_at,
    response_sha256,
    -- Files written before the exports were read call the Data API `live`.
    case when source = 'live' then 'api' else source end as source
from raw_rows
