"""Data loaders and the demo park."""
