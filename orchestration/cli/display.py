"""How commands show things to the person who typed them."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path) -> str:
    """``path`` as a user types it here: relative to the current directory when inside it.

    Links are kept as they are (``data/exports/marts`` is a link to the current version).
    """
    relative = os.path.relpath(os.path.abspath(path))
    return str(path) if relative.startswith("..") else relative
