"""A real HTTP server on 127.0.0.1 serving OpenRouter's keyless exports layout, its snapshots
built from the bundled (real) sample converted to the exports format, with faults to inject."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from orchestration.lib.settings import sample_dir

EXPORTS = "/api/v1/datasets/exports"
DATASET = f"{EXPORTS}/rankings-daily"
WINDOW_DAYS = 30


def sample_days() -> dict[date, list[tuple[str, int]]]:
    """The bundled sample's rows by date: (permaslug, tokens), as recorded."""
    days: dict[date, list[tuple[str, int]]] = defaultdict(list)
    for path in sorted((sample_dir() / "rankings_daily").glob("*.json")):
        for row in json.loads(path.read_bytes())["data"]:
            days[date.fromisoformat(row["date"])].append(
                (row["model_permaslug"], int(row["total_tokens"]))
            )
    return dict(days)


def snapshot_csv(days: dict[date, list[tuple[str, int]]], snapshot_date: date) -> bytes:
    """The exports CSV of ``snapshot_date``: the 30 days before it, ranked, with each row's
    share of its day, ASCII with CRLF line endings and no quoting."""
    lines = ["date,model_permaslug,rank,total_tokens,share_of_daily_tokens"]
    for offset in range(WINDOW_DAYS, 0, -1):
        day = snapshot_date - timedelta(days=offset)
        rows = sorted(days.get(day, []), key=lambda row: (-row[1], row[0]))
        total = sum(tokens for _, tokens in rows)
        for rank, (slug, tokens) in enumerate(rows, start=1):
            rank_text = "" if slug == "other" else str(rank)
            lines.append(f"{day},{slug},{rank_text},{tokens},{tokens / total!r}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def json_twin(csv_body: bytes) -> bytes:
    """The JSON file published beside a CSV file: the same rows, with their columns."""
    header, *lines = csv_body.decode("ascii").split("\r\n")[:-1]
    columns = header.split(",")
    rows = [dict(zip(columns, line.split(","), strict=True)) for line in lines]
    return json.dumps({"columns": columns, "row_count": len(rows), "rows": rows}).encode()


@dataclass
class FakeExports:
    """Serves ``snapshots`` ({snapshot date: CSV body}); the newest is ``latest``.

    Each snapshot has its manifest, dated CSV file and JSON twin; a date not held answers 404.
    Faults: ``served_csv`` replaces the bytes served for a date (its manifest unchanged: a
    tampered or truncated file), ``latest_manifest_override`` replaces the latest manifest, and
    ``latest.csv`` always serves another snapshot than the manifest (a mixed alias that must not
    be read). Every path asked for is in ``requests``.
    """

    snapshots: dict[date, bytes]
    served_csv: dict[date, bytes] = field(default_factory=dict)
    latest_manifest_override: dict | None = None
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        exports = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                exports.requests.append(self.path)
                status, body, kind = exports.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def latest(self) -> date:
        return max(self.snapshots)

    def manifest(self, snapshot_date: date) -> dict:
        """The manifest the publisher writes for a snapshot (of the bytes it holds)."""
        body = self.snapshots[snapshot_date]
        return {
            "dataset": "rankings-daily",
            "schema_version": "v1",
            "snapshot_date": snapshot_date.isoformat(),
            "retrieved_at": f"{snapshot_date.isoformat()}T01:46:00Z",
            "row_count": body.count(b"\r\n") - 1,
            "update_cadence": "daily",
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "attribution": "OpenRouter (openrouter.ai/rankings)",
            "files": {
                "csv": {
                    "url": f"{self.url}{DATASET}/{snapshot_date.isoformat()}.csv",
                    "encoding_format": "text/csv",
                    "bytes": len(body),
                    "sha256": hashlib.sha256(body).hexdigest(),
                },
            },
            "latest": {"csv": f"{self.url}{DATASET}/latest.csv"},
        }

    def answer(self, path: str) -> tuple[int, bytes, str]:
        """Status, body and content type for ``path``."""
        not_found = (
            404,
            b'{"error": {"message": "Export not found", "code": 404}}',
            "application/json",
        )
        if path == f"{EXPORTS}/index.json":
            index = {
                "schema_version": "v1",
                "update_cadence": "daily",
                "datasets": [
                    {
                        "id": "rankings-daily",
                        "latest_snapshot_date": self.latest.isoformat(),
                        "latest_manifest_url": f"{self.url}{DATASET}/latest.manifest.json",
                    }
                ],
            }
            return 200, json.dumps(index).encode(), "application/json"
        if path == "/api/v1/models?output_modalities=all":
            newest = sorted((sample_dir() / "models_catalog").glob("*.json"))[-1]
            return 200, newest.read_bytes(), "application/json"
        name = path.removeprefix(f"{DATASET}/")
        if name == "latest.manifest.json":
            manifest = self.latest_manifest_override or self.manifest(self.latest)
            return 200, json.dumps(manifest).encode(), "application/json"
        if name == "latest.csv":
            # A mixed alias: the snapshot before the newest one.
            return 200, self.snapshots[sorted(self.snapshots)[-2]], "text/csv"
        stem, _, suffix = name.partition(".")
        try:
            day = date.fromisoformat(stem)
        except ValueError:
            return not_found
        if day not in self.snapshots:
            return not_found
        if suffix == "manifest.json":
            return 200, json.dumps(self.manifest(day)).encode(), "application/json"
        if suffix == "csv":
            return 200, self.served_csv.get(day, self.snapshots[day]), "text/csv"
        if suffix == "json":
            return 200, json_twin(self.snapshots[day]), "application/json"
        return not_found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def exports_of_the_sample(snapshot_dates: list[date]) -> dict[date, bytes]:
    """Snapshots of the bundled sample as the exports would have published them."""
    days = sample_days()
    return {day: snapshot_csv(days, day) for day in snapshot_dates}


if __name__ == "__main__":
    # Serve the bundled sample as the exports would have published it on 2026-05-11, until
    # Ctrl-C:  .venv/bin/python -m tests.fake_exports
    #          RANKINGS_SOURCE=exports OPENROUTER_BASE_URL=<the URL printed> make demo
    served = FakeExports(exports_of_the_sample([date(2026, 5, 11), date(2026, 4, 12)]))
    print(served.url, flush=True)
    threading.Event().wait()
