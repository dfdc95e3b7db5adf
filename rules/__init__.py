"""Checklist library, grading and escalation rules."""
