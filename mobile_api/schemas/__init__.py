"""Wire shapes of contract v1 (msgspec structs: fast, and documented in OpenAPI)."""
