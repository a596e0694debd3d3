"""Dagster resources: where ranking snapshots and the model catalogue come from."""
