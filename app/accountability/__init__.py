"""Accountability: each state body's figures (how it keeps its legal deadlines) and the pages that show them."""
