"""Assets: raw ingestion (``raw``), the dbt models (``dbt``), and publishing and the report
(``serving``)."""
