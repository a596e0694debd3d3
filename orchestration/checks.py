"""Python asset checks on the working warehouse; every one blocks downstream assets on failure.

Each check recomputes its figure independently of the dbt models it checks, with exact integer
arithmetic, and explains the result in its metadata.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import (
    DAILY_FACT_MODEL,
    MAX_LISTED_PARTITIONS,
    openrouter_dbt_models,
    run_date_window,
)
from orchestration.settings import WAREHOUSE_POOL, data_paths
from orchestration.storage import connect_duckdb, sql_string

RECONCILED_MARTS = (
    "mart_vendor_weekly",
    "mart_country_weekly",
    "mart_region_weekly",
    "mart_model_weekly_growth",
)
TRILLION = 10**12


def _model_key(model: str) -> dg.AssetKey:
    return get_asset_key_for_model([openrouter_dbt_models], model)


FACT_KEY = _model_key(DAILY_FACT_MODEL)


@contextmanager
def warehouse_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the working warehouse (checks run in its pool, one at a time)."""
    connection = connect_duckdb(data_paths().working_warehouse, read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def checked_dates(run_tags: Mapping[str, str]) -> tuple[date, date]:
    """The dates a run wrote (every date when it has no partitions)."""
    return run_date_window(run_tags) or (date.min, date.max)


def checked_weeks(run_tags: Mapping[str, str]) -> tuple[date, date]:
    """First and last day of the ISO weeks a run touches (every week when it has no dates)."""
    window = run_date_window(run_tags)
    if not window:
        return date.min, date.max
    first, last = window
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def describe_range(first: date, last: date) -> str:
    """``first..last``, or ``all`` for a check over every date."""
    return "all" if first == date.min else f"{first}..{last}"


def raw_rankings_scan(first: date, last: date) -> str:
    """DuckDB ``read_parquet`` of the lake's raw rankings for ``first..last``.

    A bounded range reads only its ``date=`` folders, so the check costs the same in a lake of
    any size; an unbounded one reads the whole lake.
    """
    paths = data_paths()
    if first != date.min and (last - first).days < MAX_LISTED_PARTITIONS:
        folders = paths.rankings_date_folders(first, last)
        if folders:
            files = ", ".join(sql_string(f"{folder}/*.parquet") for folder in folders)
            return f"read_parquet([{files}], hive_partitioning = true)"
    whole_lake = sql_string(f"{paths.raw_rankings_dir}/*/*.parquet")
    return f"read_parquet({whole_lake}, hive_partitioning = true)"


def latest_raw_weekly_tokens_sql(first: date, last: date) -> str:
    """Tokens per ISO week from the raw lake, latest snapshot of each date, computed afresh."""
    return f"""
        with raw_rows as (
            select * from {raw_rankings_scan(first, last)}
            where date between '{first}' and '{last}'
        ),
        latest_snapshot as (
            select date, max((as_of, fetched_at, response_sha256)) as snapshot
            from raw_rows
            group by date
        )
        select cast(date_trunc('week', raw_rows.date) as date) as week_start,
               sum(raw_rows.total_tokens) as tokens
        from raw_rows
        join latest_snapshot
          on raw_rows.date = latest_snapshot.date
         and (raw_rows.as_of, raw_rows.fetched_at, raw_rows.response_sha256)
             = latest_snapshot.snapshot
        group by 1
    """


def _week_mismatches(
    connection: duckdb.DuckDBPyConnection, mart: str, first: date, last: date
) -> tuple[list, int, int]:
    rows = connection.execute(
        f"""
        with raw_weeks as ({latest_raw_weekly_tokens_sql(first, last)}),
        mart_weeks as (
            select week_start, sum(total_tokens) as tokens from marts.{mart}
            where week_start between '{first}' and '{last}'
            group by week_start
        )
        select coalesce(raw_weeks.week_start, mart_weeks.week_start) as week_start,
               raw_weeks.tokens as raw_tokens, mart_weeks.tokens as mart_tokens
        from raw_weeks
        full outer join mart_weeks on raw_weeks.week_start = mart_weeks.week_start
        order by 1
        """
    ).fetchall()
    mismatches = [
        {"week_start": str(week), "raw_tokens": str(raw), "mart_tokens": str(mart_tokens)}
        for week, raw, mart_tokens in rows
        if raw != mart_tokens
    ]
    return mismatches, len(rows), sum(int(raw or 0) for _, raw, _ in rows)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "tokens_reconcile_with_raw",
            asset=_model_key(mart),
            blocking=True,
            description=(
                "For every ISO week, the mart's tokens equal the sum of the latest raw rows of "
                "that week's dates, exactly."
            ),
        )
        for mart in RECONCILED_MARTS
    ],
    pool=WAREHOUSE_POOL,
)
def tokens_reconcile_with_raw(
    context: dg.AssetCheckExecutionContext,
) -> Iterator[dg.AssetCheckResult]:
    """Exact weekly reconciliation of the vendor, country, region and model marts with the lake.

    A run over some dates checks the weeks they touch; a run without dates checks every week.
    """
    first, last = checked_weeks(context.run.tags)
    with warehouse_connection() as connection:
        for mart in RECONCILED_MARTS:
            mismatches, weeks, raw_total = _week_mismatches(connection, mart, first, last)
            yield dg.AssetCheckResult(
                asset_key=_model_key(mart),
                check_name="tokens_reconcile_with_raw",
                passed=not mismatches,
                metadata={
                    "weeks_checked": weeks,
                    "dates_checked": describe_range(first, last),
                    "raw_total_tokens": str(raw_total),
                    "mismatched_weeks": len(mismatches),
                    "first_mismatches": dg.MetadataValue.json(mismatches[:10]),
                },
                description=(
                    f"{weeks} weeks reconcile exactly"
                    if not mismatches
                    else f"{len(mismatches)} of {weeks} weeks differ from the raw lake"
                ),
            )


class TokenLimitsConfig(dg.Config):
    """Limits that catch unit errors and gaps; change them in the run's config if they must."""

    model_day_ceiling_tokens: int = 20 * TRILLION
    weekly_platform_floor_tokens: int = 1 * TRILLION
    max_unattributed_share: float = 0.15


@dg.asset_check(
    asset=_model_key("mart_token_milestones"),
    blocking=True,
    pool=WAREHOUSE_POOL,
    description=(
        "Every milestone's model or vendor has cumulative tokens at or above the threshold on "
        "crossed_on and below it the day before; no crossing is missing. A run over some dates "
        "checks the crossings from the first week it touches on."
    ),
)
def milestones_match_cumulative_tokens(
    context: dg.AssetCheckExecutionContext,
) -> dg.AssetCheckResult:
    """Recompute cumulative tokens per model and vendor and compare with each milestone row."""
    first, _ = checked_weeks(context.run.tags)
    with warehouse_connection() as connection:
        wrong, missing, rows = connection.execute(
            """
            with daily_tokens as (
                select model_permaslug, vendor_slug, date, total_tokens
                from marts.fct_model_daily_tokens where not is_other
            ),
            -- Each model's and vendor's tokens before the checked weeks, then day by day
            -- through them.
            tokens_before as (
                select 'model' as level, model_permaslug, vendor_slug, sum(total_tokens) as tokens
                from daily_tokens where date < $first
                group by model_permaslug, vendor_slug
                union all
                select 'vendor', null, vendor_slug, sum(total_tokens)
                from daily_tokens where date < $first
                group by vendor_slug
            ),
            checked_days as (select * from daily_tokens where date >= $first),
            entity_days as (
                select 'model' as level, model_permaslug, vendor_slug, date, total_tokens
                from checked_days
                union all
                select 'vendor', null, vendor_slug, date, sum(total_tokens)
                from checked_days group by vendor_slug, date
            ),
            cumulative as (
                select entity_days.*,
                       coalesce(tokens_before.tokens, 0) + sum(entity_days.total_tokens) over (
                           partition by entity_days.level, entity_days.model_permaslug,
                                        entity_days.vendor_slug
                           order by entity_days.date
                       ) as through_day
                from entity_days
                left join tokens_before
                  on entity_days.level = tokens_before.level
                 and entity_days.vendor_slug = tokens_before.vendor_slug
                 and entity_days.model_permaslug
                     is not distinct from tokens_before.model_permaslug
            ),
            milestones as (
                select * from marts.mart_token_milestones where crossed_on >= $first
            ),
            checked as (
                select milestones.*, cumulative.through_day,
                       cumulative.through_day - cumulative.total_tokens as through_day_before
                from milestones
                left join cumulative
                  on milestones.level = cumulative.level
                 and milestones.vendor_slug = cumulative.vendor_slug
                 and milestones.model_permaslug is not distinct from cumulative.model_permaslug
                 and milestones.crossed_on = cumulative.date
            ),
            thresholds as (select distinct threshold_tokens from marts.mart_token_milestones),
            expected as (
                select level, model_permaslug, vendor_slug, threshold_tokens
                from cumulative join thresholds
                  on through_day >= threshold_tokens
                 and through_day - total_tokens < threshold_tokens
            )
            select
                (select count(*) from checked
                 where through_day is null or through_day < threshold_tokens
                    or through_day_before >= threshold_tokens),
                (select count(*) from expected
                 where not exists (
                    select 1 from milestones
                    where milestones.level = expected.level
                      and milestones.vendor_slug = expected.vendor_slug
                      and milestones.model_permaslug is not distinct from expected.model_permaslug
                      and milestones.threshold_tokens = expected.threshold_tokens)),
                (select count(*) from milestones)
            """,
            {"first": first},
        ).fetchone()
    return dg.AssetCheckResult(
        passed=wrong == 0 and missing == 0,
        metadata={
            "milestones_checked": rows,
            "crossings_checked_from": "all" if first == date.min else str(first),
            "inconsistent_rows": wrong,
            "missing_crossings": missing,
        },
        description=f"{rows} milestones checked: {wrong} inconsistent, {missing} missing",
    )


@dg.asset_check(
    asset=FACT_KEY,
    blocking=True,
    pool=WAREHOUSE_POOL,
    description=(
        "No single model-day above the ceiling (default 20T tokens): catches unit errors. A run "
        "over some dates checks those dates."
    ),
)
def model_day_tokens_below_ceiling(
    context: dg.AssetCheckExecutionContext, config: TokenLimitsConfig
) -> dg.AssetCheckResult:
    """Fail when any model has more tokens in one day than is plausible."""
    first, last = checked_dates(context.run.tags)
    with warehouse_connection() as connection:
        offenders = connection.execute(
            """
            select cast(date as varchar), model_permaslug, cast(total_tokens as varchar)
            from marts.fct_model_daily_tokens
            where not is_other and date between $first and $last and total_tokens > $ceiling
            order by total_tokens desc limit 20
            """,
            {"first": first, "last": last, "ceiling": config.model_day_ceiling_tokens},
        ).fetchall()
        largest = connection.execute(
            """
            select max(total_tokens) from marts.fct_model_daily_tokens
            where not is_other and date between $first and $last
            """,
            {"first": first, "last": last},
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not offenders,
        metadata={
            "ceiling_tokens": str(config.model_day_ceiling_tokens),
            "dates_checked": describe_range(first, last),
            "largest_model_day_tokens": str(largest),
            "offending_model_days": dg.MetadataValue.json(
                [{"date": d, "model": m, "tokens": t} for d, m, t in offenders]
            ),
        },
    )


@dg.asset_check(
    asset=_model_key("mart_market_concentration_weekly"),
    blocking=True,
    pool=WAREHOUSE_POOL,
    description=(
        "Every complete week of live data carries at least the floor (default 1T tokens) on the "
        "whole platform: a lower total means days or rows are missing. A run over some dates "
        "checks the weeks they touch."
    ),
)
def weekly_platform_tokens_above_floor(
    context: dg.AssetCheckExecutionContext, config: TokenLimitsConfig
) -> dg.AssetCheckResult:
    """Fail when a complete live week's platform total is below the floor."""
    first, last = checked_weeks(context.run.tags)
    with warehouse_connection() as connection:
        live_weeks = connection.execute(
            """
            select cast(week_start as varchar), sum(total_tokens)
            from marts.fct_model_daily_tokens
            where week_start between $first and $last
            group by week_start
            having count(distinct date) = 7 and bool_and(source = 'live')
            order by week_start
            """,
            {"first": first, "last": last},
        ).fetchall()
    below = [
        (week, tokens)
        for week, tokens in live_weeks
        if tokens < config.weekly_platform_floor_tokens
    ]
    return dg.AssetCheckResult(
        passed=not below,
        metadata={
            "floor_tokens": str(config.weekly_platform_floor_tokens),
            "dates_checked": describe_range(first, last),
            "complete_live_weeks_checked": len(live_weeks),
            "weeks_below_floor": dg.MetadataValue.json(
                [{"week_start": w, "tokens": str(t)} for w, t in below]
            ),
        },
        description=(
            "no complete week of live data yet (sample data is not held to the floor)"
            if not live_weeks
            else f"{len(live_weeks) - len(below)} of {len(live_weeks)} live weeks above the floor"
        ),
    )


@dg.asset_check(
    asset=_model_key("mart_vendor_weekly"),
    blocking=True,
    pool=WAREHOUSE_POOL,
    description=(
        "The share of named models' tokens whose vendor is Unattributed stays below the limit; "
        "lists vendor slugs missing from the vendor_countries seed. A run over some dates checks "
        "those dates."
    ),
)
def vendor_coverage(
    context: dg.AssetCheckExecutionContext, config: TokenLimitsConfig
) -> dg.AssetCheckResult:
    """Fail when too many tokens cannot be attributed to a country; name the unmapped vendors."""
    first, last = checked_dates(context.run.tags)
    window = {"first": first, "last": last}
    with warehouse_connection() as connection:
        unattributed, named = connection.execute(
            """
            select sum(total_tokens) filter (where region = 'Unattributed'), sum(total_tokens)
            from marts.fct_model_daily_tokens
            where not is_other and date between $first and $last
            """,
            window,
        ).fetchone()
        unmapped = connection.execute(
            """
            select vendor_slug, cast(sum(total_tokens) as varchar)
            from marts.fct_model_daily_tokens
            where not is_other and not is_vendor_mapped and date between $first and $last
            group by vendor_slug order by sum(total_tokens) desc
            """,
            window,
        ).fetchall()
    share = float(unattributed or 0) / float(named) if named else 0.0
    return dg.AssetCheckResult(
        passed=share < config.max_unattributed_share,
        metadata={
            "dates_checked": describe_range(first, last),
            "unattributed_share": share,
            "max_unattributed_share": config.max_unattributed_share,
            "unattributed_tokens": str(unattributed or 0),
            "named_model_tokens": str(named or 0),
            "unmapped_vendor_slugs": dg.MetadataValue.json(
                [{"vendor_slug": slug, "tokens": tokens} for slug, tokens in unmapped]
            ),
        },
        description=(
            f"{share:.2%} of named models' tokens are unattributed; "
            f"{len(unmapped)} vendor slug(s) missing from the seed"
            + (f": {', '.join(slug for slug, _ in unmapped)}" if unmapped else "")
        ),
    )


python_checks = [
    tokens_reconcile_with_raw,
    milestones_match_cumulative_tokens,
    model_day_tokens_below_ceiling,
    weekly_platform_tokens_above_floor,
    vendor_coverage,
]
