"""Phase 5, map and interpret: prevalence, co-occurrence, typology, network, report."""
