"""Reference data: regions of Kazakhstan and the state bodies, and their seeding."""
