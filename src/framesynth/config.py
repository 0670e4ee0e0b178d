"""Settings read from the environment, shared by the CLI and the web app."""

from __future__ import annotations

import getpass
import os


def current_user() -> str:
    """Who is acting: ``FRAMESYNTH_USER`` or the login name."""
    return os.environ.get("FRAMESYNTH_USER") or getpass.getuser()
