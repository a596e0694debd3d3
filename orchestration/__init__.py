"""Dagster code location for the OpenRouter rankings pipeline."""
