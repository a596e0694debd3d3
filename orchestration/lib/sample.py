"""The bundled sample: recorded responses on disk, read when no API key is set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.lib.responses import FetchedResponse


@dataclass(frozen=True)
class BundledSample:
    """Recorded responses in ``sample_dir``.

    ``rankings_daily/<start>_<end>.json`` holds the response to a request for that window;
    ``models_catalog/<YYYY-MM-DD>.json`` a catalogue response received on that day.
    """

    sample_dir: Path

    def _rankings_files(self) -> list[tuple[Path, date, date]]:
        """Every recorded rankings response with the window its name gives, by name."""
        files = []
        for path in sorted(Path(self.sample_dir, "rankings_daily").glob("*.json")):
            try:
                window_start, window_end = (date.fromisoformat(p) for p in path.stem.split("_"))
            except ValueError:
                raise ValueError(
                    f"{path}: a recorded rankings response must be named <start>_<end>.json "
                    "with ISO dates (e.g. 2026-02-09_2026-02-15.json); rename or remove it"
                ) from None
            files.append((path, window_start, window_end))
        return files

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """Every recorded response whose window overlaps ``start_date..end_date``.

        Each carries the window its file name gives as the window requested, so that validation
        holds its ``meta`` window to it, as it holds a live response to the window asked for.
        """
        return [
            FetchedResponse(
                path.read_bytes(),
                datetime.now(UTC),
                "sample",
                str(path),
                requested_window=(window_start, window_end),
            )
            for path, window_start, window_end in self._rankings_files()
            if window_start <= end_date and start_date <= window_end
        ]

    def models_catalog(self) -> FetchedResponse:
        """The newest recorded catalogue, stamped with the day it was received."""
        files = sorted(Path(self.sample_dir, "models_catalog").glob("*.json"))
        if not files:
            raise FileNotFoundError(
                f"no catalogue response in {self.sample_dir}/models_catalog; "
                "restore the bundled sample (git checkout data/sample) or set RANKINGS_SAMPLE_DIR"
            )
        newest = files[-1]
        try:
            received_on = date.fromisoformat(newest.stem)
        except ValueError:
            raise ValueError(
                f"{newest}: a recorded catalogue must be named <YYYY-MM-DD>.json, the day it was "
                "received; rename or remove it"
            ) from None
        received_at = datetime.combine(received_on, datetime.min.time(), UTC)
        return FetchedResponse(newest.read_bytes(), received_at, "sample", str(newest))

    def date_range(self) -> tuple[date, date]:
        """First and last data date the sample covers, from its file names."""
        bounds = [day for _, *window in self._rankings_files() for day in window]
        if not bounds:
            raise FileNotFoundError(f"no rankings responses in {self.sample_dir}/rankings_daily")
        return min(bounds), max(bounds)
