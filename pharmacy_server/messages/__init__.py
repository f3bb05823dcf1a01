"""A message thread per prescription, between its prescriber and the pharmacy."""
