"""What capture stores of a session's texts: each request's prompt, the assistant's reply and
what its tools were given, redacted once (policies/redact.py), a secret split between two
consecutive texts masked on both sides (policies/secret_seams.py), and a tool's input with
the session's known secrets masked too."""

from typing import Any

from memory_mcp.formats import claude_code_transcript as transcript_format
from memory_mcp.policies.redact import RedactedFields, Redaction, redact, redact_fields
from memory_mcp.policies.reused_secrets import Masker
from memory_mcp.policies.secret_seams import across_seams


def masked_input(given: RedactedFields, known: Masker) -> dict[str, Any]:
    """A tool's input as redacted, its texts with the session's known secrets masked too."""
    fields: dict[str, Any] = given.fields["input"]
    return {k: known(v) if isinstance(v, str) else v for k, v in fields.items()}


class Redacted:
    """A request's texts, each redacted once: what capture stores of them, and what was
    removed, the session's known secrets (its prompts, the assistant's replies and what
    its tools were given: a command's `PGPASSWORD=…`)."""

    def __init__(self, turn: transcript_format.Turn) -> None:
        self.prompt: Redaction = redact(turn.prompt)
        self.conclusion: Redaction = redact(turn.conclusion)
        self.tools = [redact_fields(input=tool.input) for tool in turn.tools]

    def found(self) -> list[str]:
        removed = [*self.prompt.found, *self.conclusion.found]
        return removed + [text for tool in self.tools for text in tool.found]


def mask_seams(said: list[Redacted]) -> None:
    """A secret split between two consecutive texts of the session (a request and its
    reply, a reply and the next request: policies/secret_seams.py) masked on both sides."""
    texts = [text for turn in said for text in (turn.prompt, turn.conclusion)]
    seamed = across_seams([text.text for text in texts])
    for n, (text, seams) in enumerate(zip(texts, seamed, strict=True)):
        if seams.kinds:
            kinds = tuple(dict.fromkeys((*text.redacted, *seams.kinds)))
            text = Redaction(seams.text, kinds, (*text.found, *seams.found))
            turn = said[n // 2]
            turn.prompt, turn.conclusion = (
                (text, turn.conclusion) if n % 2 == 0 else (turn.prompt, text)
            )
