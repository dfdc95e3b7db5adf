"""HTTP API (contract v1) and the PWA it serves."""
