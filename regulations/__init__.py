"""Law library, matching of findings to clauses, penalty drafting."""
