"""OpenRouter rankings pipeline.

- ``definitions``: the Dagster code location, assembled from ``defs``.
- ``defs``: Dagster objects (assets, checks, resources, partitions, jobs, schedules).
- ``lib``: plain Python they call; it never imports Dagster.
- ``cli``: command-line entry points.

Imports flow one way: ``cli`` -> ``definitions`` -> ``defs`` -> ``lib`` -> ``lib.settings``.
"""
