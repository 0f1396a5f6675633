"""Secrets a memory kept from before a rule could catch them (an older version stored it, or
the rule came later): `doctor` lists those memories and `doctor --mask-secrets` erases the
texts today's rules mask from them and their history, as `scrub` does. Both backends."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.policies.redact import redact
from memory_mcp.service import MemoryService

PYPI = "pypi-AgEIcHlwaS5vcmc" + "CJGQ4YjM0ZjBl" * 6
PASSWORD = "Tr0ub4dorX9"
PIN = "48213579"


def _older(service: MemoryService) -> tuple[int, int]:
    """A memory as an older version stored it (secrets in its text, context and metadata),
    and a clean one beside it."""
    kept = service.remember("Uploads to PyPI run from the release job", tags=["release"]).id
    clean = service.remember("The release job runs on tags only").id
    service.store.update(
        kept,
        {
            "content": f"Uploads to PyPI run from the release job with {PYPI}",
            "context": f"config has dbPassword={PASSWORD}",
            "metadata": {"door": {"pw": PIN}},
        },
    )
    return kept, clean


def _held(service: MemoryService, memory_id: int) -> str:
    memory = service.get(memory_id)
    history = service.history(memory_id, 100)
    return json.dumps(
        [memory.model_dump(mode="json"), [h.model_dump(mode="json") for h in history]]
    )


def test_doctor_lists_and_masks_secrets_kept_from_before(service: MemoryService) -> None:
    kept, clean = _older(service)
    assert redact(PYPI).text != PYPI  # today's rules catch each of them
    report = service.doctor()
    assert report.unmasked_secrets == [kept]
    assert report.healthy  # nothing to repair in the indexes: said apart, fixed apart
    assert PYPI in _held(service, kept) and PASSWORD in _held(service, kept)

    report = service.doctor(mask_secrets=True)
    assert report.unmasked_secrets == []
    assert report.repaired == ["erased the secrets 1 memories kept"]
    held = _held(service, kept)
    for secret in (PYPI, PASSWORD, PIN):
        assert secret not in held
    memory = service.get(kept)
    assert memory.content == "Uploads to PyPI run from the release job with [scrubbed]"
    assert memory.context == "config has dbPassword=[scrubbed]"
    assert service.get(clean).content == "The release job runs on tags only"
    assert service.doctor().unmasked_secrets == []


def test_the_cli_names_them_and_masks_them(service: MemoryService, settings: Settings) -> None:
    kept, _ = _older(service)
    service.close()
    env_db = ["--db", str(settings.db)] if not settings.pg_schema else []
    cli = [sys.executable, "-m", "memory_mcp", *env_db]
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env |= {"MEMORY_MCP_DB": str(settings.db), "MEMORY_MCP_PG_SCHEMA": settings.pg_schema}
    run = dict(capture_output=True, text=True, env=_environ(env), timeout=300)
    listed = subprocess.run([*cli, "doctor", "--json"], **run)  # type: ignore[call-overload]
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["unmasked_secrets"] == [kept]
    told = subprocess.run([*cli, "doctor"], **run)  # type: ignore[call-overload]
    assert "1 memories hold text that secret masking now catches" in told.stderr
    assert "doctor --mask-secrets" in told.stderr
    masked = subprocess.run([*cli, "doctor", "--mask-secrets", "--json"], **run)  # type: ignore[call-overload]
    assert masked.returncode == 0, masked.stderr
    assert json.loads(masked.stdout)["unmasked_secrets"] == []
    shown = subprocess.run([*cli, "show", str(kept), "--json"], **run)  # type: ignore[call-overload]
    assert PYPI not in shown.stdout and "[scrubbed]" in shown.stdout


def _environ(extra: dict[str, str]) -> dict[str, str]:
    import os

    return os.environ | extra


def test_the_table_names_twenty_and_counts_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    for n in range(25):
        memory_id = service.remember(f"Release {n} uploads with the project token").id
        service.store.update(memory_id, {"content": f"Release {n} uploads with {PYPI}"})
    service.close()
    result = CliRunner().invoke(app, ["--db", str(db), "doctor"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "1, 2, 3" in result.stdout and "20, … (25 in all)" in result.stdout
    assert "21" not in result.stdout.split("unmasked secrets")[1].split("\n")[0]
