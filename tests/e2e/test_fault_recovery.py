"""After a fault: one fixed while memory-mcp runs is noticed by it (no restart needed, nothing
lost or half applied), and a long command it stopped midway says what stays and carries on
when run again."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.errors import StorageError
from memory_mcp.service import MemoryService
from tests import pg
from tests.conftest import FakeEmbedder, real_model_dir
from tests.e2e.test_faults import seeded, tmpfs, tool_error

SERVE = [sys.executable, "-m", "memory_mcp", "serve"]


def cli(db: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
    env |= {"MEMORY_MCP_SEMANTIC": "false"} | env_vars
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@asynccontextmanager
async def serving(db: Path, log: Path) -> AsyncIterator[Client]:
    env = {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"}
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    with log.open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            yield client


async def contents(client: Client, query: str) -> list[str]:
    result = await client.call_tool("recall", {"query": query})
    assert not result.is_error, result
    assert result.structured_content is not None
    return [hit["content"] for hit in result.structured_content["hits"]]


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_server_on_a_read_only_file_writes_once_it_is_writable_again(
    tmp_path: Path,
) -> None:
    # It kept refusing every write until restarted, and said to restart; its `immutable`
    # connection (read-only folder, no log) would not even have seen what others wrote.
    with tmpfs(tmp_path / "ro", "8m") as mnt:
        path = seeded(mnt / "memory.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        async with serving(path, tmp_path / "server.log") as client:
            assert await contents(client, "Heron build host")  # it reads
            text = await tool_error(client, "remember", {"content": "lost?"}, "read-only")
            assert "no restart needed" in text and "restart," not in text
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
            # Another process writes first: the server must see it, then write itself.
            done = cli(path, "remember", "The Kestrel relay moved to rack 12")
            assert done.returncode == 0, done.stderr
            assert await contents(client, "Kestrel relay rack") == [
                "The Kestrel relay moved to rack 12"
            ]
            result = await client.call_tool("remember", {"content": "The Osprey cache is warm"})
            assert not result.is_error, result
            assert await contents(client, "Osprey cache") == ["The Osprey cache is warm"]
        listed = cli(path, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        for text in ("Heron-7", "Kestrel relay", "Osprey cache"):
            assert text in listed.stdout
        assert "lost?" not in listed.stdout  # the refused write left nothing behind
        doctor = cli(path, "doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr


@pg.needs_postgres
@pytest.mark.anyio
async def test_a_server_whose_role_is_granted_writes_writes_without_a_restart() -> None:
    schema = pg.fresh_schema()
    owner = MemoryService.open(Settings(db=pg.url(), pg_schema=schema, semantic=False))
    owner.remember("The deploy runs on Thursdays", scope="team")
    owner.close()
    name, url = pg.fresh_role()
    pg.admin(
        f'grant usage on schema "{schema}" to "{name}"',
        f'grant select on all tables in schema "{schema}" to "{name}"',
    )
    reader = MemoryService.open(Settings(db=url, pg_schema=schema, semantic=False))
    async with Client(build_server(reader, load_model=False)) as client:
        await tool_error(client, "remember", {"content": "lost?", "scope": "team"}, "lacks")
        pg.admin(
            f'grant insert, update, delete on all tables in schema "{schema}" to "{name}"',
            f'grant usage, select on all sequences in schema "{schema}" to "{name}"',
        )
        args = {"content": "The Osprey cache is warm", "scope": "team"}
        result = await client.call_tool("remember", args)
        assert not result.is_error, result
        assert await contents(client, "Osprey cache") == ["The Osprey cache is warm"]
    assert [m.content for m in reader.list_memories()] == [
        "The Osprey cache is warm",
        "The deploy runs on Thursdays",
    ]
    reader.close()


@pytest.mark.slow
def test_a_reindex_stopped_by_the_size_cap_says_what_stays_and_carries_on(tmp_path: Path) -> None:
    # Both halves said "Nothing was changed": the keyword rebuild had copied most memories
    # into its new index, and the vector half had already replaced the old vector index.
    model_dir = real_model_dir()
    if model_dir is None:
        pytest.skip("needs the real model (MEMORY_MCP_MODEL_DIR)")
    path, facts = tmp_path / "memory.db", tmp_path / "facts.jsonl"
    lines = [json.dumps({"id": i, "content": f"Fact {i} about host-{i}"}) for i in range(1, 3001)]
    facts.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(Settings(db=path), embedder=FakeEmbedder())
    assert service.semantic.ensure()
    service.import_jsonl(facts)
    service.close()
    with_model = {"MEMORY_MCP_SEMANTIC": "true", "MEMORY_MCP_MODEL_DIR": str(model_dir)}

    done = cli(path, "reindex", MEMORY_MCP_MAX_DB_MB="3", **with_model)
    assert done.returncode == 1, done.stdout + done.stderr
    error = " ".join(done.stderr.split())
    assert "The keyword index rebuild stopped partway" in error, error
    assert "Nothing was changed" not in error and "That batch was not stored" in error
    assert "of 3000 memories copied so far into a new keyword index" in error
    assert "run `memory-mcp reindex` (or `memory-mcp doctor --repair`) again" in error

    done = cli(path, "reindex", MEMORY_MCP_MAX_DB_MB="5", **with_model)  # room for keywords
    assert done.returncode == 1, done.stdout + done.stderr
    error = " ".join(done.stderr.split())
    assert "The reindex stopped partway" in error and "Nothing was changed" not in error, error
    assert "keyword-only until the reindex completes" in error and "run the same reindex" in error

    done = cli(path, "reindex", **with_model)  # room again: it carries on and completes
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Resuming an interrupted reindex" in done.stderr
    doctor = cli(path, "doctor", "--json", **with_model)
    report = json.loads(doctor.stdout)
    assert report["memories"] == report["vec_rows"] == report["fts_rows"] == 3000, report
    assert report["fts_ok"] and not report["reindex_interrupted"], report


def unembedded_db(tmp_path: Path, count: int = 2500) -> Path:
    """Memories stored without a vector (semantic search was off): a backlog to embed."""
    path, facts = tmp_path / "memory.db", tmp_path / "facts.jsonl"
    lines = [
        json.dumps({"id": i, "content": f"Fact {i} about host-{i}"}) for i in range(1, count + 1)
    ]
    facts.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(Settings(db=path, semantic=False))
    service.import_jsonl(facts)
    service.close()
    return path


@pytest.mark.slow
def test_a_backlog_that_hits_the_size_cap_does_not_refuse_the_command(tmp_path: Path) -> None:
    # Every command embeds the memories stored without a vector first: at the cap a
    # `recall` failed with "Cannot write ... Nothing was changed", after 1,024 had been.
    model_dir = real_model_dir()
    if model_dir is None:
        pytest.skip("needs the real model (MEMORY_MCP_MODEL_DIR)")
    path = unembedded_db(tmp_path)
    capped = {
        "MEMORY_MCP_SEMANTIC": "true",
        "MEMORY_MCP_MODEL_DIR": str(model_dir),
        "MEMORY_MCP_MAX_DB_MB": "6",
    }
    done = cli(path, "recall", "host-12", "--json", **capped)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hits"][0]["content"] == "Fact 12 about host-12"
    warning = " ".join(done.stderr.split())
    assert "found by keyword only until a later command or a server embeds them" in warning
    assert "Nothing was changed" not in warning and "size limit" in warning


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_server_whose_backlog_hits_the_size_cap_still_turns_semantic_search_on(
    tmp_path: Path,
) -> None:
    # The model's thread died on the full database: recall said "the embedding model is
    # still loading" for good, and memories stored later got no vector.
    model_dir = real_model_dir()
    if model_dir is None:
        pytest.skip("needs the real model (MEMORY_MCP_MODEL_DIR)")
    path = unembedded_db(tmp_path)
    env = {
        "MEMORY_MCP_DB": str(path),
        "MEMORY_MCP_MODEL_DIR": str(model_dir),
        "MEMORY_MCP_MAX_DB_MB": "6",
    }
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    log = tmp_path / "server.log"
    with log.open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            mode = ""
            for _ in range(600):  # the model loads, then embeds what fits (a wait, not a limit)
                result = await client.call_tool("recall", {"query": "host-12"})
                assert result.structured_content is not None
                mode = result.structured_content["mode"]
                if mode == "hybrid":
                    break
                await anyio.sleep(0.2)
            assert mode == "hybrid", log.read_text()
    assert "found by keyword only until they can be embedded" in log.read_text()
    assert "Traceback" not in log.read_text()


def test_a_doctor_repair_stopped_by_the_size_cap_says_what_it_did(tmp_path: Path) -> None:
    # It said "Nothing was changed" after embedding 1,024 of the memories without a vector.
    path = unembedded_db(tmp_path)
    capped = Settings(db=path, max_db_mb=6)
    service = MemoryService.open(capped, embedder=FakeEmbedder(dim=384, model_name="wide"))
    with pytest.raises(StorageError) as caught:
        service.doctor(repair=True)
    message = str(caught.value)
    embedded = service.reindex_status().embedded
    assert 0 < embedded < 2500 and "Nothing was changed" not in message
    assert message.startswith("The doctor --repair stopped partway.")
    assert f"What it did before (embedded {embedded} memories that had no vector) stay" in message
    service.close()
    roomy = MemoryService.open(Settings(db=path), embedder=FakeEmbedder(dim=384, model_name="wide"))
    assert roomy.doctor(repair=True).missing_vectors == 0  # run again: it carries on
    roomy.close()


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unembedded_db(tmp_path_factory.mktemp("signals"), 10_000)


@pytest.fixture(scope="module")
def ten_thousand_pg(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The same memories on PostgreSQL: the URL and schema, as the environment names them."""
    settings = Settings(db=pg.url(), pg_schema=pg.fresh_schema(), semantic=False)
    facts = tmp_path_factory.mktemp("signals-pg") / "facts.jsonl"
    lines = [json.dumps({"id": i, "content": f"Fact {i} about host-{i}"}) for i in range(1, 10_001)]
    facts.write_text("\n".join(lines) + "\n")
    service = MemoryService.open(settings)
    service.import_jsonl(facts)
    service.close()
    return {"MEMORY_MCP_DB": pg.url(), "MEMORY_MCP_PG_SCHEMA": settings.pg_schema}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "stop", "backend"),
    [
        ("export", signal.SIGTERM, "sqlite"),
        ("export", signal.SIGINT, "sqlite"),
        ("export", signal.SIGHUP, "sqlite"),
        ("backup", signal.SIGTERM, "sqlite"),
        pytest.param("export", signal.SIGTERM, "postgres", marks=pg.needs_postgres),
    ],
)
def test_a_command_stopped_by_a_signal_leaves_no_partial_file(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    command: str,
    stop: signal.Signals,
    backend: str,
) -> None:
    # SIGTERM ended the process at once: the export's hidden `.x.jsonl.XXXX.partial` stayed.
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
    env["MEMORY_MCP_SEMANTIC"] = "false"
    if backend == "sqlite":
        env["MEMORY_MCP_DB"] = str(request.getfixturevalue("ten_thousand"))
    else:
        env |= request.getfixturevalue("ten_thousand_pg")
    argv = [sys.executable, "-m", "memory_mcp", command, str(out / "copy")]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not any(".partial" in p.name for p in out.iterdir()):  # it is writing
        assert proc.poll() is None, proc.communicate()
    proc.send_signal(stop)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0, stderr
    assert list(out.iterdir()) == [], stderr  # neither the partial file nor a half copy
    assert "Traceback" not in stderr.decode()


def _stored(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return int(con.execute("select count(*) from memories").fetchone()[0])
    except sqlite3.Error:  # not created yet, or its schema not yet written
        return 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_import_stopped_by_a_signal_says_what_stays_and_how_to_finish(
    tmp_path: Path, model_dir: Path, stop: signal.Signals
) -> None:
    """Ctrl-C in the middle of an import exited 130 with not a word: the user could not tell
    whether anything was stored, or that running it again finishes it."""
    source = tmp_path / "notes.jsonl"
    lines = [
        json.dumps({"content": f"Build server {i} serves its admin console on port {8000 + i}."})
        for i in range(20_000)
    ]
    source.write_text("\n".join(lines) + "\n")
    db = tmp_path / "m.db"
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
    env["MEMORY_MCP_MODEL_DIR"] = str(model_dir)  # embedding: the import takes minutes
    argv = [sys.executable, "-m", "memory_mcp", "--db", str(db), "import", str(source)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while _stored(db) == 0:  # a first batch is in
        assert proc.poll() is None, proc.communicate()
    proc.send_signal(stop)
    _, raw = proc.communicate(timeout=120)
    said = " ".join(raw.decode().split())
    assert proc.returncode == 128 + stop, said
    assert "The import was interrupted: the batches it had stored stay" in said
    assert "Run the same import again to finish it" in said and "Traceback" not in said
    kept = _stored(db)
    shown = said.split("(at least ")[1].split(" of ")[0] if "(at least " in said else "0"
    assert int(shown.replace(",", "")) <= kept < 20_000
