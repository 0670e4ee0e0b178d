"""Phase 2, the framework: the code tree, drafts and their merge, refinement, themes."""
