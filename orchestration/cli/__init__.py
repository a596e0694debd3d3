"""Command-line entry points (``python -m orchestration.cli.<name>``), run by the Makefile."""
