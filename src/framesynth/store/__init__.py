"""The project store: models, engine and session set-up, migrations, text index."""
