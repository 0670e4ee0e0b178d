"""Phase 1, familiarise: sources and speaker turns, cases, memos, search, word counts."""
