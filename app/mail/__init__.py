"""Email: the transactional outbox (outbox.py), transports (transport.py) and jobs."""
