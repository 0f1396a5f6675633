"""What the server's log handlers do to a record before it is written."""

import logging


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
