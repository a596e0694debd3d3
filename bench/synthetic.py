"""A deterministic generator of rankings-daily responses in the API's exact format.

Every day has ``models_per_day`` ranked models (some of them ``:free`` variants) and an ``other``
row; history is served in windows of at most 366 days, and a fraction of weeks is restated by a
later snapshot with changed figures. Files follow the bundled sample's layout
(``rankings_daily/<start>_<end>.json`` plus a catalogue), so ``BundledSample`` serves them and every
row goes through the real validation and lake-writing code.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration.lib.ingestion.validation import MAX_MODEL_ROWS_PER_DATE
from orchestration.lib.settings import MAX_WINDOW_DAYS

# Real author slugs (so most tokens are attributed) plus one the seed does not know.
VENDORS = [
    "openai",
    "anthropic",
    "google",
    "x-ai",
    "meta-llama",
    "mistralai",
    "qwen",
    "deepseek",
    "moonshotai",
    "minimax",
    "z-ai",
    "xiaomi",
    "stepfun",
    "tencent",
    "nvidia",
    "cohere",
    "openrouter",
    "ai21",
    "new-lab",
]
MODELS_IN_POOL = 240


@dataclass(frozen=True)
class SyntheticSet:
    """What was generated: where, how many rows, which dates."""

    folder: Path
    raw_rows: int
    responses: int
    first_date: date
    last_date: date


def model_pool(rng: random.Random) -> list[str]:
    """Permaslugs: vendor/model-N-YYYYMMDD, a quarter of them also ranked as a :free variant."""
    pool = []
    for index in range(MODELS_IN_POOL):
        vendor = VENDORS[index % len(VENDORS)]
        slug = f"{vendor}/model-{index:03d}-2025{1 + index % 12:02d}{1 + index % 28:02d}"
        pool.append(slug)
        if rng.random() < 0.25:
            pool.append(f"{slug}:free")
    return pool


def day_rows(rng: random.Random, day: date, pool: list[str], models_per_day: int) -> list[dict]:
    """One day's rows in API order: tokens descending, ties by slug, then `other`."""
    chosen = rng.sample(pool, models_per_day)
    ranked = sorted(
        ((slug, rng.randint(10**8, 4 * 10**11)) for slug in chosen),
        key=lambda item: (-item[1], item[0]),
    )
    rows = [
        {"date": day.isoformat(), "model_permaslug": slug, "total_tokens": str(tokens)}
        for slug, tokens in ranked
    ]
    rows.append(
        {
            "date": day.isoformat(),
            "model_permaslug": "other",
            "total_tokens": str(rng.randint(10**11, 10**12)),
        }
    )
    return rows


def write_response(folder: Path, start: date, end: date, rows: list[dict], as_of: datetime) -> int:
    """Write one response as the API would send it for ``start..end``; return its row count."""
    body = {
        "data": rows,
        "meta": {
            "as_of": as_of.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "version": "v1",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        },
    }
    (folder / f"{start.isoformat()}_{end.isoformat()}.json").write_text(json.dumps(body))
    return len(rows)


def write_catalog(folder: Path, pool: list[str]) -> None:
    """A catalogue listing every base model once, with open weights for some."""
    bases = sorted({slug.split(":")[0] for slug in pool})
    models = [
        {
            "id": base.rsplit("-", 1)[0],
            "canonical_slug": base,
            "name": base.split("/")[1].replace("-", " ").title(),
            "created": 1735689600,
            "hugging_face_id": base if index % 3 == 0 else "",
            "context_length": 131072,
            "architecture": {"modality": "text->text"},
            "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        }
        for index, base in enumerate(bases)
    ]
    catalog = folder / "models_catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    (catalog / "2025-01-01.json").write_text(json.dumps({"data": models}))


def generate(
    folder: Path,
    days: int,
    last_date: date,
    models_per_day: int = MAX_MODEL_ROWS_PER_DATE,
    restated_week_fraction: float = 0.25,
    seed: int = 20260211,
) -> SyntheticSet:
    """Write ``days`` days ending on ``last_date``, plus restated weeks, under ``folder``."""
    rng = random.Random(seed)
    pool = model_pool(rng)
    rankings = folder / "rankings_daily"
    rankings.mkdir(parents=True, exist_ok=True)
    write_catalog(folder, pool)
    first_date = last_date - timedelta(days=days - 1)
    raw_rows = responses = 0
    window_start = first_date
    while window_start <= last_date:
        window_end = min(last_date, window_start + timedelta(days=MAX_WINDOW_DAYS - 1))
        window_days = [
            window_start + timedelta(days=i) for i in range((window_end - window_start).days + 1)
        ]
        rows = [row for day in window_days for row in day_rows(rng, day, pool, models_per_day)]
        fetched = datetime.combine(window_end + timedelta(days=1), datetime.min.time(), UTC)
        raw_rows += write_response(
            rankings, window_start, window_end, rows, fetched.replace(hour=2)
        )
        responses += 1
        # Restate some whole weeks of this window with a later snapshot (an hour later: a
        # snapshot is never dated after the day it is fetched, so none lies in the future).
        week_start = window_start
        while week_start + timedelta(days=6) <= window_end:
            if rng.random() < restated_week_fraction:
                week = [week_start + timedelta(days=i) for i in range(7)]
                restated = [row for day in week for row in day_rows(rng, day, pool, models_per_day)]
                raw_rows += write_response(
                    rankings, week[0], week[-1], restated, fetched.replace(hour=3)
                )
                responses += 1
            week_start += timedelta(days=7)
        window_start = window_end + timedelta(days=1)
    return SyntheticSet(folder, raw_rows, responses, first_date, last_date)


def generate_daily_snapshots(
    folder: Path,
    days: int,
    last_date: date,
    window_days: int = 30,
    models_per_day: int = MAX_MODEL_ROWS_PER_DATE,
    seed: int = 20260211,
) -> SyntheticSet:
    """Write one snapshot a day for ``days`` days ending on ``last_date``, each holding the
    ``window_days`` days up to its own with figures drawn again, as OpenRouter's keyless daily
    exports restate their trailing window: each date is in ``window_days`` snapshots."""
    rng = random.Random(seed)
    pool = model_pool(rng)
    rankings = folder / "rankings_daily"
    rankings.mkdir(parents=True, exist_ok=True)
    write_catalog(folder, pool)
    raw_rows = 0
    for offset in range(days - 1, -1, -1):
        end = last_date - timedelta(days=offset)
        start = end - timedelta(days=window_days - 1)
        window = [start + timedelta(days=i) for i in range(window_days)]
        rows = [row for day in window for row in day_rows(rng, day, pool, models_per_day)]
        fetched = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
        raw_rows += write_response(rankings, start, end, rows, fetched.replace(hour=2))
    first_date = last_date - timedelta(days=days + window_days - 2)
    return SyntheticSet(folder, raw_rows, days, first_date, last_date)
