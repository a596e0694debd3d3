"""Dagster definitions, one module per concern: ``assets/`` (raw ingestion, dbt and its checks,
serving, exposures), ``resources``, ``project`` (the dbt project), ``partitions`` (and the run's
tags), ``jobs``, ``schedules``, ``alerts``, ``freshness``, ``pools``, ``retraction``,
``compaction``, ``run_recovery``, and ``dagster_internals`` (the Dagster internals relied on,
behind one seam).
They call plain code in :mod:`orchestration.lib`, never the reverse.
"""
