"""The read-only JSON API (v1): petitions, counts, state bodies and their accountability
figures, regions, latest responses, trending. Public, cacheable, open to any origin."""
