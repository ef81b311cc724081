"""Infrastructure with no domain and no request: the clock, working days, collation, logging, the database helpers, Redis and jobs."""
