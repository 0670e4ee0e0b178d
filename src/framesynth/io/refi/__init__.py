"""REFI-QDA exchange: the codebook (.qdc) and, later, whole projects (.qdpx)."""
