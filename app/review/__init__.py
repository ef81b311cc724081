"""The threshold engine, review cases and the officials' workspace."""
