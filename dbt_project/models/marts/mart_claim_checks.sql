-- Published claims tested against the warehouse: one row per claim and reading
-- (int_claim_readings), with the value the warehouse computes under that reading, the
-- difference, and a verdict: `reproduced` (within the claim's tolerance), `differs`, or
-- `not testable` with the reason (the data does not hold the window, or holds only the top
-- models where the scope needs them all). Each claim's verdict is its best reading's:
-- reproduced under some reading, else differs under a testable one, else not testable.
with claims as (

    select * from {{ ref('stg_reference__published_claims') }}

),

readings as (

    select * from {{ ref('int_claim_readings') }}

),

daily_tokens as (

    select * from {{ ref('fct_model_daily_tokens') }}

),

coverage as (

    select * from {{ ref('mart_source_coverage') }}

),

scope_sizes as (

    select
        'top_5' as scope,
        5 as top_n
    union all
    select
        'top_10' as scope,
        10 as top_n

),

-- Whether each day the data holds has the `other` row (without it, only the top models are held).
day_profiles as (

    select
        coverage.date,
        max(case when daily_tokens.is_other then 1 else 0 end) = 1 as has_other
    from coverage
    inner join daily_tokens
        on coverage.date = daily_tokens.date
    where coverage.is_covered
    group by coverage.date

),

period_days as (

    select
        readings.claim_id,
        readings.window_reading,
        readings.reading_scope,
        readings.period,
        min({{ dbt.datediff('readings.period_start', 'readings.period_end', 'day') }}) + 1
            as days_in_period,
        count(day_profiles.date) as days_held,
        sum(case when day_profiles.has_other then 1 else 0 end) as days_with_other
    from readings
    left join day_profiles
        on day_profiles.date between readings.period_start and readings.period_end
    group by readings.claim_id, readings.window_reading, readings.reading_scope, readings.period

),

period_model_tokens as (

    select
        readings.claim_id,
        readings.window_reading,
        readings.reading_scope,
        readings.period,
        daily_tokens.model_permaslug,
        min(daily_tokens.vendor_slug) as vendor_slug,
        min(daily_tokens.region) as region,
        {{ dbt.bool_or('daily_tokens.open_weights') }} as open_weights,
        sum(daily_tokens.total_tokens) as total_tokens,
        max(daily_tokens.as_of) as as_of
    from readings
    inner join daily_tokens
        on daily_tokens.date between readings.period_start and readings.period_end
    where not daily_tokens.is_other
    group by
        readings.claim_id,
        readings.window_reading,
        readings.reading_scope,
        readings.period,
        daily_tokens.model_permaslug

),

period_models_ranked as (

    select
        period_model_tokens.*,
        row_number() over (
            partition by
                period_model_tokens.claim_id,
                period_model_tokens.window_reading,
                period_model_tokens.reading_scope,
                period_model_tokens.period
            order by period_model_tokens.total_tokens desc, period_model_tokens.model_permaslug asc
        ) as model_rank
    from period_model_tokens

),

period_other_tokens as (

    select
        readings.claim_id,
        readings.window_reading,
        readings.reading_scope,
        readings.period,
        sum(daily_tokens.total_tokens) as other_tokens
    from readings
    inner join daily_tokens
        on daily_tokens.date between readings.period_start and readings.period_end
    where daily_tokens.is_other
    group by readings.claim_id, readings.window_reading, readings.reading_scope, readings.period

),

-- Each named model of a period, whether it is in the reading's scope and is the claim's subject.
period_models_classified as (

    select
        period_models_ranked.*,
        scope_sizes.top_n is null or period_models_ranked.model_rank <= scope_sizes.top_n
            as is_in_scope,
        case claims.subject_kind
            when 'model' then period_models_ranked.model_permaslug = claims.subject
            when 'vendor' then {{ dbt.concat(["'|'", "claims.subject", "'|'"]) }}
                like {{ dbt.concat(["'%|'", "period_models_ranked.vendor_slug", "'|%'"]) }}
            when 'region' then period_models_ranked.region = claims.subject
            when 'open_weights_region'
                then period_models_ranked.region = claims.subject
                and coalesce(period_models_ranked.open_weights, false)
            else true
        end as is_subject
    from period_models_ranked
    inner join claims
        on period_models_ranked.claim_id = claims.claim_id
    left join scope_sizes
        on period_models_ranked.reading_scope = scope_sizes.scope

),

period_figures as (

    select
        period_days.claim_id,
        period_days.window_reading,
        period_days.reading_scope,
        period_days.period,
        period_days.days_in_period,
        period_days.days_held,
        period_days.days_with_other,
        count(period_models_classified.model_permaslug) as models_held,
        coalesce(sum(
            case
                when period_models_classified.is_in_scope then period_models_classified.total_tokens
            end
        ), 0) as scope_named_tokens,
        coalesce(sum(
            case
                when period_models_classified.is_in_scope and period_models_classified.is_subject
                    then period_models_classified.total_tokens
            end
        ), 0) as subject_named_tokens,
        min(
            case
                when period_models_classified.is_subject then period_models_classified.model_rank
            end
        ) as subject_rank,
        max(period_models_classified.as_of) as as_of
    from period_days
    left join period_models_classified
        on period_days.claim_id = period_models_classified.claim_id
        and period_days.window_reading = period_models_classified.window_reading
        and period_days.reading_scope = period_models_classified.reading_scope
        and period_days.period = period_models_classified.period
    group by
        period_days.claim_id,
        period_days.window_reading,
        period_days.reading_scope,
        period_days.period,
        period_days.days_in_period,
        period_days.days_held,
        period_days.days_with_other

),

-- The reasons' SQL literals hold no apostrophe: Spark and DuckDB escape one differently.
-- The tokens of the scope and of the subject: with scope `all`, the `other` row counts in the
-- scope, and in the subject when the subject is the whole platform.
period_totals as (

    select
        period_figures.*,
        claims.metric,
        claims.subject_kind,
        period_figures.scope_named_tokens
        + case
            when period_figures.reading_scope = 'all'
                then coalesce(period_other_tokens.other_tokens, 0)
            else 0
        end as scope_tokens,
        period_figures.subject_named_tokens
        + case
            when period_figures.reading_scope = 'all' and claims.subject_kind = 'platform'
                then coalesce(period_other_tokens.other_tokens, 0)
            else 0
        end as subject_tokens,
        case
            when period_figures.days_held < period_figures.days_in_period
                then {{ dbt.concat([
                    "'the data holds '",
                    "cast(period_figures.days_held as " ~ dbt.type_string() ~ ")",
                    "' of the '",
                    "cast(period_figures.days_in_period as " ~ dbt.type_string() ~ ")",
                    "' days of the '",
                    "period_figures.period",
                    "' period'",
                ]) }}
            when period_figures.reading_scope in ('named', 'all')
                and period_figures.days_with_other < period_figures.days_held
                then {{ dbt.concat([
                    "'the data holds only the top models (no `other` row) on '",
                    "cast(period_figures.days_held - period_figures.days_with_other as "
                        ~ dbt.type_string() ~ ")",
                    "' of the days of the period, so the total of '",
                    "case when period_figures.reading_scope = 'all' then 'every token'"
                        ~ " else 'every named model' end",
                    "' is unknown'",
                ]) }}
            when period_figures.models_held < scope_sizes.top_n
                then {{ dbt.concat([
                    "'the data holds '",
                    "cast(period_figures.models_held as " ~ dbt.type_string() ~ ")",
                    "' named models in the period, fewer than the top '",
                    "cast(scope_sizes.top_n as " ~ dbt.type_string() ~ ")",
                ]) }}
        end as not_testable_reason
    from period_figures
    inner join claims
        on period_figures.claim_id = claims.claim_id
    left join period_other_tokens
        on period_figures.claim_id = period_other_tokens.claim_id
        and period_figures.window_reading = period_other_tokens.window_reading
        and period_figures.reading_scope = period_other_tokens.reading_scope
        and period_figures.period = period_other_tokens.period
    left join scope_sizes
        on period_figures.reading_scope = scope_sizes.scope

),

reading_values as (

    select
        measured.claim_id,
        measured.window_reading,
        measured.reading_scope,
        measured.as_of,
        case
            when measured.metric = 'tokens' then cast(measured.subject_tokens as double)
            when measured.metric = 'share'
                then cast(measured.subject_tokens as double) / nullif(measured.scope_tokens, 0)
            when measured.metric = 'rank' then cast(measured.subject_rank as double)
            when measured.metric = 'growth_pct'
                then {{ growth_pct('measured.subject_tokens', 'baseline.subject_tokens') }}
        end as computed_value,
        coalesce(measured.not_testable_reason, baseline.not_testable_reason) as not_testable_reason
    from period_totals as measured
    left join period_totals as baseline
        on measured.claim_id = baseline.claim_id
        and measured.window_reading = baseline.window_reading
        and measured.reading_scope = baseline.reading_scope
        and baseline.period = 'baseline'
    where measured.period = 'measured'

),

reading_checks as (

    select
        reading_values.*,
        reading_values.computed_value - claims.claimed_value as difference,
        case
            when reading_values.not_testable_reason is not null then 'not testable'
            when abs(reading_values.computed_value - claims.claimed_value) <= claims.tolerance
                then 'reproduced'
            else 'differs'
        end as reading_verdict
    from reading_values
    inner join claims
        on reading_values.claim_id = claims.claim_id

),

claim_verdicts as (

    select
        claim_id,
        max(
            case reading_verdict when 'reproduced' then 3 when 'differs' then 2 else 1 end
        ) as best_verdict
    from reading_checks
    group by claim_id

),

checked_readings as (

    select
        reading_checks.*,
        case claim_verdicts.best_verdict
            when 3 then 'reproduced' when 2 then 'differs' else 'not testable'
        end as claim_verdict,
        measured_periods.reading_start,
        measured_periods.reading_end,
        measured_periods.is_reported_reading
    from reading_checks
    inner join claim_verdicts
        on reading_checks.claim_id = claim_verdicts.claim_id
    inner join readings as measured_periods
        on reading_checks.claim_id = measured_periods.claim_id
        and reading_checks.window_reading = measured_periods.window_reading
        and reading_checks.reading_scope = measured_periods.reading_scope
        and measured_periods.period = 'measured'

),

-- The reading that decides each claim's verdict: one with that verdict, the reading as reported
-- first, then the closest figure.
readings_in_preference as (

    select
        checked_readings.*,
        row_number() over (
            partition by checked_readings.claim_id
            order by
                case when checked_readings.reading_verdict = checked_readings.claim_verdict
                    then 0 else 1 end,
                case when checked_readings.is_reported_reading then 0 else 1 end,
                abs(checked_readings.difference) asc nulls last,
                checked_readings.window_reading asc,
                checked_readings.reading_scope asc
        ) as preference
    from checked_readings

)

select
    claims.claim_id,
    claims.publisher,
    claims.published_on,
    claims.url,
    claims.claim,
    claims.window_as_reported,
    claims.scope_as_reported,
    claims.metric,
    claims.subject,
    claims.claimed_value,
    claims.tolerance,
    readings_in_preference.window_reading,
    readings_in_preference.reading_scope,
    readings_in_preference.reading_start,
    readings_in_preference.reading_end,
    readings_in_preference.is_reported_reading,
    readings_in_preference.preference = 1 as is_deciding_reading,
    readings_in_preference.computed_value,
    readings_in_preference.difference,
    readings_in_preference.difference / nullif(abs(claims.claimed_value), 0)
        as relative_difference,
    readings_in_preference.reading_verdict,
    readings_in_preference.not_testable_reason,
    readings_in_preference.claim_verdict,
    readings_in_preference.as_of
from readings_in_preference
inner join claims
    on readings_in_preference.claim_id = claims.claim_id
