"""Officials' digest emails: what concerns their body, daily or weekly."""
