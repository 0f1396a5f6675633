"""Capture: turn a client's session transcript into memories, without a language model.

From each request the user made: the durable statements they typed (policies/statements.py)
and, once the assistant has answered, one `event` naming the files, searches and commands it
used and what it found (policies/episodes.py: only for a change or a conclusion; alike ones
folded into one, at most episodes.MAX_EXPLORED a session: service/exploring.py); and one
`event` per session (its episode).
Everything goes into the project's scope through the importers' path (formats/ingest.py):
secrets masked, `<private>` blocks dropped, the tools' limits applied, and each record keyed
by a source id (session, message, part) so a second run over the same transcript, or a longer
version of it, stores nothing twice. The episode holds the key `session.<id>`: a longer
session supersedes its earlier episode instead of adding one.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from memory_mcp.errors import InvalidInput
from memory_mcp.formats import claude_code_transcript as transcript_format
from memory_mcp.formats.common import ImportSummary, Record
from memory_mcp.formats.ingest import ingest
from memory_mcp.models import Memory, MemoryFilter
from memory_mcp.names import ABOUT_USER, MAX_KEY_CHARS
from memory_mcp.policies import episodes
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.redact import redact
from memory_mcp.policies.reused_secrets import Masker, secrets_of
from memory_mcp.service import capture_folder, capture_texts, exploring, grants, projects
from memory_mcp.service.context import Part
from memory_mcp.service.lifecycle import Lifecycle
from memory_mcp.service.writing import Writer

logger = logging.getLogger(__name__)

SOURCE = "claude-code-session"  # metadata.imported_from.format of captured memories
CAPTURED = "captured"  # the tag every captured memory carries
MAX_CONTEXT_CHARS = 1_500
CURSOR = "statements_through"  # in the episode's metadata: requests whose statements are in
CURSOR_AT = "statements_through_message"  # …and the uuid of the last of them
FIRST = "first_message"  # in the episode's metadata: the uuid of the session's first request


class CaptureReport(BaseModel):
    """What one capture stored."""

    scope: str | None = None
    session_id: str = ""
    requests: int = Field(0, description="User requests in the transcript.")
    created: int = Field(0, description="Statements and explorations stored now.")
    already: int = Field(0, description="Captured by an earlier run: left alone.")
    duplicates: int = 0
    folded: int = Field(
        0, description="Explorations not stored: alike to another, or past the session's cap."
    )
    recounted: int = Field(
        0, description="Explorations stored before whose count of alike requests grew."
    )
    episode: str | None = Field(None, description="created, superseded, unchanged or none.")
    skipped: str | None = Field(None, description="Why nothing was captured, when it was not.")


def hook_scope(configured: str | None, folder: str | Path | None) -> tuple[str | None, Path | None]:
    """The scope hooks work in, as the tools resolve it: an explicit project (argument or
    MEMORY_MCP_PROJECT, `configured`), else the folder the client says it works in, resolved
    to its git repository (worktrees share it). (None, None) for no project folder."""
    if configured is not None:
        return configured, None
    if folder is None or not str(folder).strip():
        return None, None
    try:
        return projects.project_scope(folder), Path(folder)
    except InvalidInput:  # the home folder, a filesystem root: no project
        return None, None


class Capturer(Part):
    def __init__(self, writer: Writer, lifecycle: Lifecycle) -> None:
        super().__init__(writer.ctx)
        self._writer = writer
        self._lifecycle = lifecycle

    def capture(
        self,
        transcript: Path,
        cwd: str | None = None,
        session_id: str | None = None,
        project: str | None = None,
        client: str = "hook:claude-code",
    ) -> CaptureReport:
        """Store what the transcript's session said and explored, in the project's scope."""
        if not self.settings.capture:
            return CaptureReport(skipped="capture is off (MEMORY_MCP_CAPTURE=false)")
        parsed = transcript_format.read(transcript)
        sid = session_id or parsed.session_id
        scope, folder = hook_scope(self.ctx.project_scope(project), cwd or parsed.cwd)
        report = CaptureReport(scope=scope, session_id=sid, requests=len(parsed.turns))
        if scope is None:
            return self._without_project(parsed, sid, report, client)
        grants.check_write(self.ctx, scope)  # events are stored below remember's own check
        roots = [str(p) for p in (capture_folder.repo_root(folder), folder, parsed.cwd) if p]
        ignored = episodes.IgnoreRules(capture_folder.ignore_text(folder))
        episode = next(iter(self.store.current_for_key(scope, _episode_key(sid))), None)
        episode = episode or self._resumed(parsed, scope)
        said_then = [capture_texts.Redacted(turn) for turn in parsed.turns]  # redacted once
        capture_texts.mask_seams(said_then)
        known = Masker(secrets_of(s for turn in said_then for s in turn.found()))
        records, total, worths = self._records(parsed, sid, roots, ignored, said_then, known)
        taken = _taken(records, _taken_requests(parsed, episode))
        before = _as_written_now(self.store.imported_ids(SOURCE)) | taken
        events = [r for r in records if r.kind == "event"]
        chosen = exploring.choose(
            self.store, scope, sid, events, worths, before, parsed.started
        )  # fmt: skip
        report.folded = len(events) - len(chosen.store) - len(chosen.recount)
        said = [r for r in records if r.kind != "event" and r.source_id not in before]
        report.already = len(records) - len(events) - len(said) + len(chosen.recount)
        if said or chosen.store or any(map(exploring.needs_recount, chosen.recount)):
            self._load_model()
        for record in said:  # remember's dedup and near-duplicate merging, one at a time
            status = self._remember(record, self._scope_of(record, scope), client)
            report.created += status == "created"
            report.duplicates += status != "created"
        for memory in chosen.displace:  # a slot given up before a stronger event takes it
            exploring.displace(self._lifecycle, memory, client)
        for memory in chosen.release:  # …or by a forgotten event, before a new one takes it
            exploring.release(self._lifecycle, memory, client)
        summary = ImportSummary(format=SOURCE, source=str(transcript), scope=scope)
        ingest(
            self.store, self.semantic.embed_documents, chosen.store,
            summary, self.settings.max_content_chars,
            max_metadata=self.settings.max_metadata_chars, client=client,
        )  # fmt: skip
        report.created += summary.created
        report.already += summary.already_imported
        report.duplicates += summary.duplicates
        for item in chosen.recount:  # one write each, deciding against what it read
            report.recounted += exploring.recount(self._lifecycle, item, client)
        prompts = [known(turn.prompt.text) for turn in said_then]
        report.episode = self._episode(parsed, sid, scope, total, client, episode, prompts)
        return report

    def _without_project(
        self, parsed: transcript_format.Transcript, sid: str, report: CaptureReport, client: str
    ) -> CaptureReport:
        """A session in no project (the home folder, a client that gives no folder): what the
        user said of themselves goes to their default scope, which every session's briefing
        reads, and so does a rule said there: the user's own, for every project. Decisions
        and facts name a project it cannot tell, and what the session explored and its
        episode belong to none: not kept (in the default scope, every project would show
        them)."""
        scope = self.ctx.default_scope
        report.scope = scope
        grants.check_write(self.ctx, scope)
        said_then = [capture_texts.Redacted(turn) for turn in parsed.turns]
        capture_texts.mask_seams(said_then)
        known = Masker(secrets_of(s for turn in said_then for s in turn.found()))
        records, _, _ = self._records(
            parsed, sid, [], episodes.IgnoreRules(""), said_then, known, everywhere=True
        )
        said = [r for r in records if r.kind != "event" and _kept_without_project(r)]
        before = _as_written_now(self.store.imported_ids(SOURCE))
        fresh = [r for r in said if r.source_id not in before]
        report.already = len(said) - len(fresh)
        report.episode = "none"
        if fresh:
            self._load_model()
        for record in fresh:
            status = self._remember(record, scope, client)
            report.created += status == "created"
            report.duplicates += status != "created"
        return report

    def _scope_of(self, record: Record, project: str) -> str:
        """The project's; but what users say about themselves goes to their default scope (a
        principal's own), which every project's recall and briefing read, if they may
        write there."""
        default = self.ctx.default_scope
        about_user = ABOUT_USER in record.tags
        return default if about_user and self.ctx.access.can_write(default) else project

    def _load_model(self) -> None:
        """Load the embedding model for what this capture stores, unless it is loaded or being
        loaded (a server). A hook's process loads it only when there is something new (a
        second and 200 MB on each turn's end otherwise), and never embeds the backlog of
        memories stored without a vector (minutes on a big database: the server does that)."""
        if self.semantic.state == "idle" and not self.semantic.ensure(backlog=False):
            logger.warning("%s", self.semantic.note)

    def _remember(self, record: Record, scope: str, client: str) -> str:
        """A durable statement through remember: a repeat is counted on the memory it
        repeats, a rewording merged into it; the source id keeps a re-run from counting it."""
        origin = {"format": SOURCE, "id": record.source_id}
        try:
            result = self._writer.remember(
                record.content, record.kind, record.tags, scope,
                {**record.metadata, "imported_from": origin}, occurred_at=_when(record.occurred_at),
                client=client, context=record.context, once=True,
            )  # fmt: skip
        except InvalidInput:  # entirely private or secret, too long: not kept
            return "skipped"
        return str(result.status)

    def _records(
        self,
        parsed: transcript_format.Transcript,
        sid: str,
        roots: list[str],
        ignored: episodes.IgnoreRules,
        said_then: list[capture_texts.Redacted],
        known: Masker,
        everywhere: bool = False,
    ) -> tuple[list[Record], episodes.Activity, dict[str, tuple[bool, int]]]:
        """`everywhere`: every statement goes to the default scope (no project)."""
        records: list[Record] = []
        total = episodes.Activity()
        worths: dict[str, tuple[bool, int]] = {}
        for turn, redacted in zip(parsed.turns, said_then, strict=True):
            # A message's own uuid names it in every session that holds a copy (a resumed
            # session's file starts with the earlier one's messages); a stand-in, within this one
            source = turn.uuid if turn.own_id else f"{sid}:{turn.uuid}"
            # Every text of the transcript is redacted before it is cut or put on one line: a
            # token cut short, or split at a line break that became a space, is no longer
            # found by the redaction of what is stored, and its head would stay.
            # <private> blocks go before sentences are cut; a secret the session showed where
            # redaction knows it goes wherever else it says it (policies/reused_secrets.py)
            prompt = known(redacted.prompt.text)
            conclusion = known(redacted.conclusion.text)
            tools = [
                (t.name, capture_texts.masked_input(given, known), t.ok)
                for t, given in zip(turn.tools, redacted.tools, strict=True)
            ]
            act = episodes.activity(tools, roots, ignored)
            total.add(act)
            context = _context(prompt, conclusion)
            records += _statements(turn, source, sid, prompt, conclusion, everywhere)
            text = episodes.explored(prompt, act, conclusion) if turn.complete else None
            if text is not None:
                records.append(Record(
                    content=text, source_id=f"{source}:explored",
                    where=f"request {turn.uuid}", kind="event", tags=[CAPTURED, "explored"],
                    occurred_at=turn.at,
                    metadata={"session": sid, "files": act.files[:20],
                              "changed": act.changed[:20]},
                    context=context,
                ))  # fmt: skip
                worths[records[-1].source_id] = episodes.worth(act, conclusion)
        return records, total, worths

    def _resumed(self, parsed: transcript_format.Transcript, scope: str) -> Memory | None:
        """The episode of the session this one resumes, if any: Claude Code starts a resumed
        session's file (a new session id) with the earlier session's messages, same uuids and
        times, so the conversation's episode is that session's, carried on."""
        first = parsed.turns[0] if parsed.turns else None
        if first is None or not first.own_id or parsed.started is None:
            return None
        second = timedelta(seconds=1)
        flt = MemoryFilter(
            scopes=[scope], kind="event", tags=[CAPTURED, "session"],
            since=parsed.started - second, until=parsed.started + second,
        )  # fmt: skip
        found = (m for m in self.store.find(flt, limit=50) if m.metadata.get(FIRST) == first.uuid)
        return next(found, None)

    def _episode(
        self,
        parsed: transcript_format.Transcript,
        sid: str,
        scope: str,
        total: episodes.Activity,
        client: str,
        current: Memory | None,
        prompts: list[str],
    ) -> str:
        """The session's episode, replacing an earlier one (it also holds the cursor: how
        many requests' statements were taken); `prompts`: the requests, redacted."""
        if not parsed.turns or not sid:
            return "none"
        day = f"{parsed.started:%Y-%m-%d}" if parsed.started else "an unknown day"
        text = episodes.episode(day, parsed.branch, prompts, total, len(parsed.turns))
        done = len(parsed.turns)
        same = current is not None and current.content == redact(text).text
        last = parsed.turns[-1]
        through = last.uuid if last.own_id else None
        if (
            same and current is not None and current.metadata.get(CURSOR) == done
            and current.metadata.get(CURSOR_AT) == through
        ):  # fmt: skip
            return "unchanged"
        metadata = {"session": sid, "files": total.files[:20], "changed": total.changed[:20],
                    "branch": parsed.branch, CURSOR: done, CURSOR_AT: through}  # fmt: skip
        if parsed.turns[0].own_id:
            metadata[FIRST] = parsed.turns[0].uuid
        self._load_model()
        key = current.key if current is not None and current.key else _episode_key(sid)
        result = self._writer.remember(
            text, "event", [CAPTURED, "session"], scope, metadata, key=key,
            occurred_at=_when(parsed.started), client=client,
        )  # fmt: skip
        return "created" if result.status == "created" else str(result.status)


def _kept_without_project(record: Record) -> bool:
    from memory_mcp.policies.statements import kept_without_project

    return kept_without_project(record.kind, ABOUT_USER in record.tags, record.content)


def _taken_requests(parsed: transcript_format.Transcript, episode: Memory | None) -> set[str]:
    """The requests whose statements an earlier run took (stored, or counted as a repeat of a
    memory that does not carry their id): those up to the message the episode names. A count
    of requests alone is trusted only while it can still mean the same ones: a whole file
    holding at least that many (what counts as a request has changed: copies, client tags)."""
    if episode is None:
        return set()
    uuids = [turn.uuid for turn in parsed.turns]
    through = episode.metadata.get(CURSOR_AT)
    if isinstance(through, str):
        return set(uuids[: uuids.index(through) + 1]) if through in uuids else set()
    count = episode.metadata.get(CURSOR)
    if not isinstance(count, int) or count < 0 or not parsed.whole or count > len(uuids):
        return set()
    return set(uuids[:count])


def _taken(records: list[Record], earlier: set[str]) -> set[str]:
    """Source ids of the statements of the `earlier` requests."""
    return {r.source_id for r in records if r.kind != "event" and r.where in earlier}


def _as_written_now(ids: set[str]) -> set[str]:
    """Source ids taken, also as this version writes them: earlier versions named a message
    `<session>:<message uuid>:…`, now `<message uuid>:…` (so a copy in a resumed session's
    file is the same message)."""
    return ids | {i.partition(":")[2] for i in ids}


def _statements(
    turn: transcript_format.Turn,
    source: str,
    sid: str,
    prompt: str,
    conclusion: str,
    everywhere: bool,
) -> list[Record]:
    """The durable statements of one user message. Their context is what the user said,
    not what they handed over (an email, a page: statement_material.py), which is someone
    else's; and in the default scope (about the user, or `everywhere`), searched from every
    project, the user's words alone, not the assistant's reply (a draft holding an email's
    details, a project's code)."""
    # Here, not at the top: the statement rules compile ~60 ms of patterns, which the
    # session-start and prompt hooks (importing this module for CAPTURED, hook_scope) never
    # use.
    from memory_mcp.policies import statement_material, statements

    own_words = statement_material.own_words(prompt)
    found_here = []
    for n, found in enumerate(statements.durable(prompt)):
        alone = found.about_user or everywhere
        found_here.append(Record(
            content=found.text, source_id=f"{source}:s{n}", where=turn.uuid, kind=found.kind,
            tags=[CAPTURED, "said-by-user", *([ABOUT_USER] if found.about_user else [])],
            occurred_at=turn.at, created_at=None, metadata={"session": sid},
            context=_context(own_words, "" if alone else conclusion),
        ))  # fmt: skip
    return found_here


def _episode_key(sid: str) -> str:
    return key_form(f"session.{sid}")[:MAX_KEY_CHARS]  # as stored, within the key's size


def _context(prompt: str, conclusion: str) -> str:
    text = f"User: {prompt}" + (f"\nAssistant: {conclusion}" if conclusion else "")
    return text.strip()[:MAX_CONTEXT_CHARS]


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
