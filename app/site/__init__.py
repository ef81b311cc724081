"""Public pages that belong to no other domain: home, state bodies, language, health."""
