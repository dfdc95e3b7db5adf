"""ASGI entry point: ``uvicorn --factory mobile_api.asgi:create_app``."""

from mobile_api.app import create_app

__all__ = ["create_app"]
