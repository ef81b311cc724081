"""Atom feeds: newly opened petitions and official responses, nationally and per state body."""
