"""Ingestion: land each response as received, validate it, quarantine what fails, and write the
rest to the Parquet lake (``lake.py`` writes, ``validation.py`` checks, ``ingest.py`` runs both)."""
