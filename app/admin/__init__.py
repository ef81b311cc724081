"""The operator's pages: users and roles, state bodies, the email outbox."""
