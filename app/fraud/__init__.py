"""Fraud signals: fingerprints of addresses and browsers, trending sources, rate limits held as data, bot signals on forms."""
