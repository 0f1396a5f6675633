"""`memory-mcp token`: the owner's bearer token for `serve --http`, and a team's principals
with their tokens and grants (only a hash of each token is stored, in the database)."""

import dataclasses
from typing import TYPE_CHECKING, Annotated

import typer

from memory_mcp.adapters.cli.app import DbOpt, Group, JsonOpt, app, open_service, settings_for
from memory_mcp.adapters.cli.render import as_json, err, out

if TYPE_CHECKING:  # the storage layer (numpy) is imported by the commands, not by --help
    from memory_mcp.storage.contract import PrincipalRecord

token_app = typer.Typer(
    cls=Group,
    name="token",
    help="The owner's HTTP bearer token (no subcommand), or a team's principals and tokens.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(token_app, rich_help_panel="Serve, move data, maintain")

GrantOpt = Annotated[
    list[str] | None,
    typer.Option("--grant", "-g", help="PATTERN=read|write, e.g. team/*=write (repeatable)."),
]
ExpiresOpt = Annotated[
    str | None,
    typer.Option(
        "--expires", help="Token lifetime, e.g. 90d (default: none; rotate: the old token's)."
    ),
]
SHOWN_ONCE = (
    "Token for {name} (shown once; only its hash is stored). Clients send "
    "`Authorization: Bearer <token>`."
)


@token_app.callback()
def token(
    ctx: typer.Context,
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Replace the owner's token with a new one.")
    ] = False,
) -> None:
    """Show (creating it if needed) or rotate the owner's bearer token for `serve --http`."""
    if ctx.invoked_subcommand is not None:
        return
    from memory_mcp.adapters.mcp_server.http import read_token, rotate_token

    settings = settings_for(ctx)
    current = None if rotate else read_token(settings.token_file)
    value = current or rotate_token(settings.token_file)
    out.print(value, markup=False, highlight=False)
    err.print(
        f"{'Rotated' if rotate else 'Token'} in {settings.token_file} (owner-only). Clients send "
        "`Authorization: Bearer <token>`; restart `serve --http` after rotating."
    )


@token_app.command("add")
def add(
    ctx: typer.Context,
    name: str,
    grant: GrantOpt = None,
    expires: ExpiresOpt = None,
    db: DbOpt = None,
) -> None:
    """A principal and its token; it may always use its own scope user/NAME."""
    with open_service(ctx, db, create=True) as service:
        record, secret = service.team.add(name, grant or [], expires)
    _issued(record, secret)


@token_app.command("rotate")
def rotate_principal(
    ctx: typer.Context, name: str, expires: ExpiresOpt = None, db: DbOpt = None
) -> None:
    """A new token for a principal; the old one stops working at once."""
    with open_service(ctx, db) as service:
        record, secret = service.team.rotate(name, expires)
    _issued(record, secret)


@token_app.command("revoke")
def revoke(ctx: typer.Context, name: str, db: DbOpt = None) -> None:
    """Revoke a principal's token: its next request gets 401, on every server."""
    with open_service(ctx, db) as service:
        service.team.revoke(name)
    err.print(f"Revoked the token of {name}; its grants and history stay.", markup=False)


@token_app.command("grant")
def grant_(ctx: typer.Context, name: str, grant: GrantOpt = None, db: DbOpt = None) -> None:
    """Set a principal's grants (replacing them), creating it if new (an OAuth user)."""
    with open_service(ctx, db, create=True) as service:
        record = service.team.set_grants(name, grant or [])
    err.print(f"{record.name}: {', '.join(record.grants) or 'its own scope only'}.", markup=False)


@token_app.command("list")
def list_(ctx: typer.Context, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Principals: grants, token created, last used, expiry (never a token)."""
    with open_service(ctx, db) as service:
        records = service.team.list()
    if json_:
        as_json({"principals": [dataclasses.asdict(r) for r in records]})
        return
    if not records:
        err.print("No principals yet: `memory-mcp token add NAME --grant team/*=write`.")
    for r in records:
        out.print(_line(r), markup=False, highlight=False, soft_wrap=True)


def _issued(record: "PrincipalRecord", secret: str) -> None:
    out.print(secret, markup=False, highlight=False)
    err.print(SHOWN_ONCE.format(name=record.name), markup=False)
    if record.expires_at:
        err.print(f"It expires {record.expires_at[:16]}Z.", markup=False)


def _line(r: "PrincipalRecord") -> str:
    token = (
        f"token {r.token_created_at[:10] if r.token_created_at else '?'}"
        if r.has_token
        else ("revoked " + r.revoked_at[:10] if r.revoked_at else "no token")
    )
    parts = [
        r.name,
        "grants: " + (", ".join(r.grants) or "-") + f" (+ user/{r.name})",
        token,
        "last used " + (r.last_used_at[:16] + "Z" if r.last_used_at else "never"),
        "expires " + (r.expires_at[:10] if r.expires_at else "never"),
    ]
    return " · ".join(parts)
