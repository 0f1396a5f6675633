"""What the server's log handlers do to a record before it is written."""

import logging
import sys

from memory_mcp.policies.controls import CONTROL

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"


class PlainLines(logging.Formatter):
    """A log line for a file or a pipe (a client's log, systemd, docker): whole, never
    wrapped, and with no control character a later `cat` of the log would act on."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__(LOG_FORMAT.replace("%(message)s", prefix + "%(message)s"), "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return CONTROL.sub("\ufffd", super().format(record))


def stderr_handler(prefix: str = "") -> logging.Handler:
    """The server's log handler on stderr: rich in a terminal; plain lines in a file or a pipe,
    where rich would wrap each record at 80 columns. Masked (`masked`)."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(console=Console(stderr=True), show_path=False)
        handler.setFormatter(logging.Formatter(prefix + "%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(PlainLines(prefix))
    return masked(handler)


class SentValuesMasked(logging.Filter):
    """Masks secrets in the MCP SDK's records (loggers `mcp.*`), which repeat what a client
    sent as it was sent: a tool's name ("Tool 'ghp_…' failed"), a resource's address, a
    method. A token pasted there must not reach the log, which clients such as Claude Desktop
    keep in a file. Our own records repeat sent values through policies.inputs.shown, masked
    already. The masking rules load at the first SDK record, not at start-up."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "mcp" or record.name.startswith("mcp."):
            from memory_mcp.policies.redact import redact

            record.msg, record.args = redact(record.getMessage()).text, ()
        return True


def masked(handler: logging.Handler) -> logging.Handler:
    """`handler`, masking what the SDK's records repeat of a client's request."""
    handler.addFilter(SentValuesMasked())
    return handler
