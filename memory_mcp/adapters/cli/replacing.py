"""A memory's later values by hand: what `show` says of them, and `replace OLD --by NEW`,
which makes a stored later memory the replacement of an older one (service.later)."""

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from memory_mcp.adapters.cli.app import CLI_CLIENT, DbOpt, JsonOpt, app, open_service
from memory_mcp.adapters.cli.render import as_json, err, inert, out, preview

if TYPE_CHECKING:
    from memory_mcp.models import Memory
    from memory_mcp.service import MemoryService


def say_later(service: "MemoryService", memory: "Memory") -> None:
    """After `show`: the later current memories that may update this one, and the command
    that makes one of them its replacement (nothing for a memory with none)."""
    found = service.later_memories(memory.id)
    if found.note and service.semantic.state != "off":  # off by configuration: noise
        err.print(found.note, style="yellow", markup=False, soft_wrap=True)
    if not found.later:
        return
    out.print("Later memories that may update this:")
    for later in found.later:
        out.print(Text.assemble(f"  #{later.id} ", inert(preview(later.content))))
    out.print(f"If one of them replaces it: memory-mcp replace {memory.id} --by ID")


@app.command(rich_help_panel="Inspect and fix")
def replace(
    ctx: typer.Context,
    memory_id: Annotated[int, typer.Argument(metavar="OLD", help="The memory replaced.")],
    by: Annotated[int, typer.Option("--by", help="The later memory that replaces it.")],
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Make a later memory the replacement of an older one (undo: restore OLD --replacement)."""
    with open_service(ctx, db) as service:
        old = service.replace_with(memory_id, by, client=CLI_CLIENT)
    if json_:
        as_json(old)
        return
    err.print(
        f"#{old.id} is now superseded by #{by}: recall shows #{by} instead. "
        f"Undo with: memory-mcp restore {old.id} --replacement"
    )
