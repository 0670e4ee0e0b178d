"""Reading and writing files: importers, exporters, REFI-QDA exchange."""
