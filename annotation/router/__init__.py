"""The confidence router: which tutor answers a teacher should review (pure: no Django)."""
