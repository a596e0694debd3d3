"""Plain Python the Dagster definitions call: settings, storage, the OpenRouter client, the
bundled sample, ingestion, the run's date window, publishing and the report.

Nothing in this package imports Dagster or ``orchestration.defs``; its modules import only each
other, and ``settings`` imports nothing of the project.
"""
