"""Build the bundled sample (data/sample/) from the real OpenRouter data in ../shared/data/.

Run from the repository root: ``python scripts/build_sample.py [--shared ../shared/data]``.
The pipeline itself never reads ../shared; this script is kept so the method is reproducible.

Method (see data/sample/README.md):
- A weekly snapshot dated D covers the ISO week (Monday..Sunday, UTC) containing D - 1 day.
- Each model's weekly total is spread over the days of its week as exact integers that sum to the
  published figure, the remainder going one token each to the first days. Where the catalogue's
  ``created`` date falls inside the week, only the days from that date on get tokens.
- One rankings-daily response per week, in the API's exact format and order, ``meta.as_of`` the
  snapshot date at 00:00 UTC. No ``other`` row: the rest of the platform is unknown here.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG_FILE = "models_2026-05-07.json"


def week_of_snapshot(snapshot: date) -> tuple[date, date]:
    """The ISO week (Monday, Sunday) containing ``snapshot - 1 day``."""
    day = snapshot - timedelta(days=1)
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def spread(total: int, days: list[date]) -> dict[date, int]:
    """Split ``total`` over ``days`` as integers summing to it, remainder on the first days."""
    base, remainder = divmod(total, len(days))
    return {day: base + (1 if i < remainder else 0) for i, day in enumerate(days)}


def created_dates(catalog_path: Path) -> dict[str, date]:
    """Catalogue ``created`` date (UTC) by canonical slug."""
    models = json.loads(catalog_path.read_bytes())["data"]
    return {
        model["canonical_slug"]: datetime.fromtimestamp(model["created"], UTC).date()
        for model in models
        if model.get("created") is not None
    }


def build(shared: Path, out: Path, fixtures: Path) -> None:
    """Write the sample responses; copy the catalogue and the weekly CSV (a test fixture)."""
    catalog_path = shared / "openrouter" / CATALOG_FILE
    created = created_dates(catalog_path)
    weekly = list(csv.DictReader((shared / "openrouter" / "weekly_top10_flat.csv").open()))

    by_snapshot: dict[date, list[dict[str, str]]] = defaultdict(list)
    for row in weekly:
        by_snapshot[date.fromisoformat(row["snapshot_date"])].append(row)

    rankings_dir = out / "rankings_daily"
    shutil.rmtree(rankings_dir, ignore_errors=True)
    rankings_dir.mkdir(parents=True)
    for snapshot, rows in sorted(by_snapshot.items()):
        monday, sunday = week_of_snapshot(snapshot)
        week = [monday + timedelta(days=i) for i in range(7)]
        daily: list[tuple[date, str, int]] = []
        for row in rows:
            slug = row["slug"]
            born = created.get(slug.split(":")[0])
            days = [day for day in week if born is None or day >= born] or week
            for day, tokens in spread(int(row["total_tokens"]), days).items():
                if tokens > 0:  # the API drops models with 0 tokens that day
                    daily.append((day, slug, tokens))
        daily.sort(key=lambda item: (item[0], -item[2], item[1]))
        response = {
            "data": [
                {"date": day.isoformat(), "model_permaslug": slug, "total_tokens": str(tokens)}
                for day, slug, tokens in daily
            ],
            "meta": {
                "as_of": f"{snapshot.isoformat()}T00:00:00.000Z",
                "version": "v1",
                "start_date": monday.isoformat(),
                "end_date": sunday.isoformat(),
            },
        }
        target = rankings_dir / f"{monday.isoformat()}_{sunday.isoformat()}.json"
        target.write_text(json.dumps(response, indent=2) + "\n")

    catalog_dir = out / "models_catalog"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(catalog_path, catalog_dir / "2026-05-07.json")
    fixtures.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        shared / "openrouter" / "weekly_top10_flat.csv", fixtures / "weekly_top10_flat.csv"
    )
    print(f"wrote {len(by_snapshot)} weekly responses to {rankings_dir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    build(args.shared, ROOT / "data" / "sample", ROOT / "tests" / "fixtures")


if __name__ == "__main__":
    main()
