"""The MCP tools, resources, prompts and CLI over both backends: the same parametrised
`settings` as the service tests (tests/service/conftest.py)."""

from tests.service.conftest import backend, settings

__all__ = ["backend", "settings"]
