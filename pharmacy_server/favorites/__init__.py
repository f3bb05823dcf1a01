"""A prescriber's favorite orders: named, per template version, never a patient."""
