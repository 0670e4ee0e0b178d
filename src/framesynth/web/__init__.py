"""The web workbench over the library (FastAPI, server-rendered Jinja pages, vanilla JS)."""
