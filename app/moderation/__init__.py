"""The moderators' queue and actions on petitions."""
