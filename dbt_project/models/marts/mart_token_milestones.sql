-- The trillion-token club: the first day each model, and each vendor, reached a cumulative-token
-- threshold (counted from the first day it appears in the data held), and for models the days
-- from their catalogue launch as well.
-- Incremental: crossings before the first rebuilt week are final, since later rows cannot move
-- them; a run deletes the crossings from that week on and finds them again from the tokens
-- each model and vendor had before it.
with daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}
    where not is_other

),

thresholds as (

    {{ milestone_thresholds() }}

),

{%- set tokens_before_rebuilt_weeks -%}
    {%- if is_incremental() -%}
    coalesce(sum(total_tokens) filter (where date < {{ first_rebuilt_week() }}), 0)
    {%- else -%}
    0
    {%- endif -%}
{%- endset %}

entity_history as (

    select
        'model' as level,
        model_permaslug,
        vendor_slug,
        min(date) as first_seen_date,
        {{ tokens_before_rebuilt_weeks }} as tokens_before
    from daily_tokens
    group by model_permaslug, vendor_slug

    union all

    select
        'vendor' as level,
        cast(null as {{ dbt.type_string() }}) as model_permaslug,
        vendor_slug,
        min(date) as first_seen_date,
        {{ tokens_before_rebuilt_weeks }} as tokens_before
    from daily_tokens
    group by vendor_slug

),

rebuilt_daily_tokens as (

    select * from daily_tokens
    {% if is_incremental() %}
    where date >= {{ first_rebuilt_week() }}
    {% endif %}

),

entity_daily_tokens as (

    select
        'model' as level,
        model_permaslug,
        vendor_slug,
        date,
        total_tokens
    from rebuilt_daily_tokens

    union all

    select
        'vendor' as level,
        cast(null as {{ dbt.type_string() }}) as model_permaslug,
        vendor_slug,
        date,
        sum(total_tokens) as total_tokens
    from rebuilt_daily_tokens
    group by vendor_slug, date

),

cumulative_tokens as (

    select
        entity_daily_tokens.level,
        entity_daily_tokens.model_permaslug,
        entity_daily_tokens.vendor_slug,
        entity_daily_tokens.date,
        entity_history.first_seen_date,
        entity_history.tokens_before,
        entity_history.tokens_before + sum(entity_daily_tokens.total_tokens) over (
            partition by
                entity_daily_tokens.level,
                entity_daily_tokens.model_permaslug,
                entity_daily_tokens.vendor_slug
            order by entity_daily_tokens.date
            rows between unbounded preceding and current row
        ) as cumulative_tokens
    from entity_daily_tokens
    inner join entity_history
        on entity_daily_tokens.level = entity_history.level
        and entity_daily_tokens.vendor_slug = entity_history.vendor_slug
        and coalesce(entity_daily_tokens.model_permaslug, '')
        = coalesce(entity_history.model_permaslug, '')

),

crossings as (

    select
        cumulative_tokens.level,
        cumulative_tokens.model_permaslug,
        cumulative_tokens.vendor_slug,
        thresholds.threshold_tokens,
        min(cumulative_tokens.date) as crossed_on,
        min(cumulative_tokens.first_seen_date) as first_seen_date
    from cumulative_tokens
    inner join thresholds
        on cumulative_tokens.cumulative_tokens >= thresholds.threshold_tokens
        and cumulative_tokens.tokens_before < thresholds.threshold_tokens
    group by
        cumulative_tokens.level,
        cumulative_tokens.model_permaslug,
        cumulative_tokens.vendor_slug,
        thresholds.threshold_tokens

),

-- A model's launch is the day the catalogue added it; a vendor has none.
entries as (

    select * from {{ ref('dim_models') }}

)

select
    crossings.level,
    crossings.model_permaslug,
    crossings.vendor_slug,
    crossings.threshold_tokens,
    crossings.crossed_on,
    crossings.first_seen_date,
    cast({{ dbt.datediff('crossings.first_seen_date', 'crossings.crossed_on', 'day') }} as integer)
        as days_to_cross,
    entries.launch_date,
    cast({{ dbt.datediff('entries.launch_date', 'crossings.crossed_on', 'day') }} as integer)
        as days_from_launch
from crossings
left join entries
    on crossings.level = 'model'
    and crossings.model_permaslug = entries.model_permaslug
