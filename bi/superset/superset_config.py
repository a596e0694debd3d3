"""Superset's settings for this project's dashboard (``make bi``, docs/bi.md).

Superset imports this file (``SUPERSET_CONFIG_PATH``); ``make bi`` sets ``SUPERSET_STATE_DIR``,
where Superset keeps its metadata database and where the secret key was generated.
"""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["SUPERSET_STATE_DIR"])

SECRET_KEY = (STATE_DIR / "secret_key").read_text().strip()
# Dashboards, charts, users: Superset's own metadata, not the warehouse's data.
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE_DIR / 'superset.db'}"

# Everything the pages load comes from this server: no fonts, map tiles or usage pixel from
# elsewhere (Superset's navigation bar embeds one), so the dashboard works offline and reports
# nothing to anyone.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
