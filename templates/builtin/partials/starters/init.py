"""{{ name }}: a starter project for AIchor's {{ operator }} operator."""
{%- if operator == "kuberay" %}

import os
from pathlib import Path

# This module runs before `main.py` imports ray, so these settings reach Ray
# without tripping ruff's E402 (module-level import not at top of file).
#
# Ray >= 2.47 re-launches its workers through `uv run` when the driver itself was
# started with `uv run`: each worker then builds a fresh virtual environment,
# which is slow and can hang. The environment is already complete here.
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")

# Ray >= 2.59: a local `ray.init()` writes ~/.ray/auth_token, and a later local
# `ray start --head` then turns token authentication on. A driver given an
# explicit RAY_ADDRESS does not enable token auth by itself and fails to
# connect, so ask for it whenever that token file exists (it also works
# against a cluster without authentication).
if os.environ.get("RAY_ADDRESS") and (Path.home() / ".ray" / "auth_token").exists():
    os.environ.setdefault("RAY_AUTH_MODE", "token")
{%- endif %}
