"""The automatic-memory part of MemoryService's feature list: what client hooks call (capture a
session, brief the next one, answer a prompt) and the profile. MemoryService inherits it and
builds the parts (facade.py); each method hands over to the part that does the work."""

from pathlib import Path
from typing import TYPE_CHECKING

from memory_mcp.service.acting import ActingAs

if TYPE_CHECKING:  # the parts are imported when first used (parts.py)
    from memory_mcp.service.briefing import Briefing
    from memory_mcp.service.capture import CaptureReport
    from memory_mcp.service.profile import Profile


class AutomaticMemory(ActingAs):
    def capture(
        self, transcript: Path, cwd: str | None = None, session_id: str | None = None,
        project: str | None = None, client: str = "hook:claude-code",
    ) -> "CaptureReport":  # fmt: skip
        """Store what a session transcript said and explored, in its project's scope
        (LLM-free, idempotent: re-running over it, or a longer version, adds nothing twice)."""
        return self._capturer.capture(transcript, cwd, session_id, project, client)

    def session_briefing(
        self, cwd: str | None = None, project: str | None = None, max_tokens: int | None = None
    ) -> "Briefing":
        """The project briefing a client injects at session start, within its budget."""
        return self._briefer.session_start(cwd, project, max_tokens)

    def prompt_context(
        self, prompt: str, cwd: str | None = None, project: str | None = None,
        max_tokens: int | None = None,
    ) -> "Briefing":  # fmt: skip
        """The memories that clearly bear on a prompt, within its budget (often none)."""
        return self._briefer.prompt_context(prompt, cwd, project, max_tokens)

    def profile(
        self, scope: str | None = None, project: str | None = None, superseded: bool = False
    ) -> "Profile":
        """Every current keyed fact, grouped by prefix, with when set and how often changed."""
        return self._profiler.profile(scope, project, superseded)
