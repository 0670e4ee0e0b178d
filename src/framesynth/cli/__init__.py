"""The ``framesynth`` command: a thin Typer layer over the library."""
