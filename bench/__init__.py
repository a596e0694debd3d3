"""Benchmark: synthetic rankings, the pipeline timed at several scales, and a DuckDB floor."""
