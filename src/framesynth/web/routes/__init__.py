"""One router per part of the workbench."""
