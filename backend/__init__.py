"""ParkSafe server: domain logic, services, persistence and settings."""
