"""Published plans → the reminder messages that should exist (pure; see model.py)."""
