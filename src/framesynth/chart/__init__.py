"""Phase 4, chart: the framework matrix of cases by themes, and its draft summaries."""
