"""Petitions: the lifecycle, writing and submitting, sponsoring and signing, search."""
