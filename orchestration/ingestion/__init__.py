"""Extraction: validation of OpenRouter responses and writing them to the Parquet lake."""
