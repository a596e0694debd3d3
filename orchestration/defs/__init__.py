"""Dagster definitions, one module per concern: ``assets/`` (raw ingestion, dbt, serving),
``checks``, ``resources``, ``project`` (the dbt project), ``partitions`` (and the run's tags),
``jobs`` and ``schedules``. They call plain code in :mod:`orchestration.lib`, never the reverse.
"""
