"""State bodies and the rules that belong to them (thresholds, review periods)."""
