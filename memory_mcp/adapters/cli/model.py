"""`model status` and `model download`: is the embedding model on this machine, and fetch it
(e.g. before taking the machine, or a copy of its cache folder, offline)."""

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from memory_mcp.adapters.cli.app import Group, JsonOpt, app, settings_for
from memory_mcp.adapters.cli.render import as_json, err, key_values, out

if TYPE_CHECKING:  # the search layer (numpy) is imported by the commands, not by --help
    from memory_mcp.search.model_files import ModelStatus

model_app = typer.Typer(
    cls=Group,
    help="The embedding model: where it is, and download it for offline use.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model", rich_help_panel="Serve, move data, maintain")


def _show(status: "ModelStatus", json_: bool) -> None:
    if json_:
        as_json(asdict(status))
        return
    rows = [(k, "-" if v is None else v) for k, v in asdict(status).items() if k != "problem"]
    out.print(key_values("embedding model", rows))
    if status.problem:
        err.print(status.problem, style="yellow", markup=False, soft_wrap=True)


@model_app.command("status")
def status(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Which model, where its files are, whether they are here, its dimension (loads nothing)."""
    from memory_mcp.search.model_files import model_status

    settings = settings_for(ctx)
    _show(model_status(settings.model, settings.model_dir, settings.cache_dir), json_)


@model_app.command("download")
def download_model(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Download the model into the cache folder (once), then check that it loads; with
    MEMORY_MCP_MODEL_DIR set, check that folder instead (it is what loads: nothing to fetch)."""
    from memory_mcp.search.embed import FastEmbedEmbedder
    from memory_mcp.search.model_files import download, find_cached, model_spec, model_status

    settings = settings_for(ctx)
    spec = model_spec(settings.model)
    if settings.model_dir is not None:
        _check_model_dir(spec.name, settings.model_dir, settings.cache_dir, json_)
        return
    if find_cached(spec, settings.cache_dir) is None:
        with err.status(f"Downloading {spec.name} (~{spec.size_mb} MB) into {settings.cache_dir}…"):
            download(spec, settings.cache_dir)
    with err.status("Checking that it loads…"):
        FastEmbedEmbedder(spec.name, None, settings.cache_dir, download=False).load()
    _show(model_status(spec.name, None, settings.cache_dir), json_)


def _check_model_dir(name: str, model_dir: Path, cache_dir: Path, json_: bool) -> None:
    """The model MEMORY_MCP_MODEL_DIR names, loaded from its folder (never the network): a
    download into the cache would not be used while the variable is set."""
    from memory_mcp.errors import InvalidInput
    from memory_mcp.search.embed import FastEmbedEmbedder
    from memory_mcp.search.model_files import local_dir_problem, model_status

    problem = local_dir_problem(model_dir)
    if problem is not None:
        raise InvalidInput(
            f"{problem}: point it at a folder holding the model's files, or unset it to"
            " download the model into the cache."
        )
    with err.status(f"Checking that the model in {model_dir} loads…"):
        FastEmbedEmbedder(name, model_dir, cache_dir, download=False).load()
    _show(model_status(name, model_dir, cache_dir), json_)
    err.print(
        f"The model is already there (MEMORY_MCP_MODEL_DIR={model_dir}, it loads): nothing"
        " to download.",
        markup=False,
        soft_wrap=True,
    )
