"""Shared IV-nutrition domain: prescriptions, templates and their rules.

Pure Python on purpose: the desktop client and the pharmacy server import the
same code, so the client's instant feedback and the server's authoritative
answer can never disagree about what a prescription means.
"""
