"""The four MCP tools: each is one call on MemoryService plus translation (calls.py).

Replies are compact: the JSON of the reply model with nulls and defaults left out and times
to the second (models.wire), sent as structuredContent and, as the protocol asks, as the
same JSON in one text block (clients show the model one or the other).

Each tool's output schema is its reply model's, flat (`flat_schema`): a client such as the
SDK's validates every reply against it with jsonschema, whose cost grows with the schema
nodes each reply value is checked against (a list's items are described in words). The
server does not validate its own replies again (they are dumped from the reply models): the
tools are registered without an output model, and the server lists these schemas with them
(server._Server.list_tools).
"""

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, Field, ValidatorFunctionWrapHandler, WrapValidator

from memory_mcp.adapters.mcp_server.calls import CallContext
from memory_mcp.config import MAX_RECALL_LIMIT, MIN_BUDGET
from memory_mcp.models import (
    ForgetResult,
    Kind,
    RecallResult,
    SummaryReply,
    WritableKind,
    wire,
    wire_text,
)
from memory_mcp.names import names_note
from memory_mcp.policies.controls import MAYBE_UNSHOWN, shown_values
from memory_mcp.remembered import RememberReply

if TYPE_CHECKING:
    from memory_mcp.service import MemoryService


def _whole_number(value: object) -> object:
    """JSON `true` or `7.0` is not the id 7 (pydantic would take both as one)."""
    if isinstance(value, bool | float):
        raise ValueError(f"a memory id is a whole number such as 7, not {value!r}")
    return value


MemoryId = Annotated[int, BeforeValidator(_whole_number)]


def _text_or_none(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """None for null, and for the text `null`, which models send for an argument they mean
    to leave out (the SDK read it so: a key "null" is no key, not a slot named null)."""
    return None if value is None or value == "null" else handler(value)


if TYPE_CHECKING:
    Text = str | None
else:
    # An optional text argument, typed `str` to the SDK: it runs json.loads on every string
    # sent for an argument of any other type (for lists sent as JSON text), so a query or a
    # context of `{"port": 8080}` or `["a"]` arrived as an object the argument refused. Its
    # schema is a plain string as before.
    Text = Annotated[str, WrapValidator(_text_or_none)]

ECHO_TOKENS = 200  # remember shows an existing memory's text up to this long


def _lean(schema: dict[str, Any]) -> None:
    """An optional argument's schema as its type alone (omitting it is how to leave it
    unset), not `anyOf [type, null]` with `default: null`: shorter for the model to read."""
    if schema.get("default", 0) is not None:
        return
    del schema["default"]  # a Text argument's schema is its type and this default alone
    options = schema.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del schema["anyOf"]
        if len(rest) == 1:
            schema.update(rest[0])
        else:
            schema["anyOf"] = rest


def arg(description: str, **constraints: Any) -> Any:
    """A tool argument's Field: its description and constraints, in the lean schema."""
    return Field(description=description, json_schema_extra=_lean, **constraints)


Scope = Annotated[Text, arg("Scope, e.g. a repo or `global`; default: the project.")]
ScopeFilter = Annotated[Text, arg("Only this scope (`*`: all); default: the project and `global`.")]
When = "ISO-8601 or relative (`yesterday`, `3 days ago`)."
Since = Annotated[Text, arg(f"From this time on. {When}")]
Until = Annotated[Text, arg(f"Before this time; a day without a time: to its end. {When}")]
KindFilter = Annotated[Kind | None, arg("Only this kind.")]
Reference = Annotated[Text, arg("The 'now' for relative times, with its UTC offset.")]
MaxTokens = Annotated[int | None, arg("Reply size limit in tokens.", ge=MIN_BUDGET)]

ANNOTATIONS = {
    "remember": ToolAnnotations(
        title="Remember", read_only_hint=False, destructive_hint=False, idempotent_hint=False
    ),
    "recall": ToolAnnotations(title="Recall", read_only_hint=True),
    "forget": ToolAnnotations(title="Forget", destructive_hint=True, idempotent_hint=True),
    # Not read-only: save=true stores the summary (never touching its sources).
    "summarize": ToolAnnotations(title="Summarize", destructive_hint=False),
}


def _on(method: str) -> Callable[..., Any]:
    """MemoryService.<method>, unbound, looked up per call: this module is imported before
    the service stack is (server.py answers the first requests while that loads)."""

    def call(service: "MemoryService", /, **kwargs: Any) -> Any:
        return getattr(service, method)(**kwargs)

    return call


def reply(model: BaseModel) -> CallToolResult:
    """One compact JSON reply: the model dumped once (models.wire) as the structured content,
    and that value's JSON text for clients that read text; memory text in it as a person
    would see it, what prints as nothing written out (controls.shown_values)."""
    value = wire(model)
    text = wire_text(value)
    if _may_hold_unshown(text):  # most replies hold none: one scan, not a walk of the value
        value = shown_values(value)
        text = wire_text(value)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=value)


def _may_hold_unshown(text: str) -> bool:
    """Whether a string of the JSON `text` may hold a character shown_values writes out:
    as it is (MAYBE_UNSHOWN), or as the JSON escapes of a C0 control other than newline and
    tab. A backslash in memory text may raise a false alarm, which only costs the walk. In
    ASCII text (most replies) only DEL can stand as it is: a check in C, where the pattern's
    scan took as long as the walk it spares (~60 us on a recall's reply)."""
    if "\x7f" in text if text.isascii() else MAYBE_UNSHOWN.search(text) is not None:
        return True
    return "\\" in text and any(escape in text for escape in _C0_ESCAPES)


_C0_ESCAPES = ("\\u00", "\\b", "\\f", "\\r")  # as pydantic-core's JSON writes them


def flat_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON schema as a reply is checked against it: nested models inline (no
    `$defs`/`$ref`), an optional field as its own type (replies leave a null out rather than
    send it, so `anyOf [type, null]` says nothing more), no generated titles and no null
    defaults; descriptions, formats, enums and the other defaults stay."""
    schema = model.model_json_schema()
    return cast(dict[str, Any], _flat(schema, schema.pop("$defs", {})))


def _flat(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_flat(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        named = {**defs[node["$ref"].rsplit("/", 1)[-1]], **node}
        del named["$ref"]
        return _flat(named, defs)
    flat = {
        key: {name: _flat(field, defs) for name, field in value.items()}  # a field named title
        if key == "properties"
        else _flat(value, defs)
        for key, value in node.items()
        if key != "title"
    }
    _lean(flat)  # an optional field as its own type, as the arguments' schemas have it
    if isinstance(flat.get("items"), dict) and "properties" in flat["items"]:
        said = flat.get("description")
        flat["description"] = _described(flat.pop("items"), said if isinstance(said, str) else None)
    return flat


def _described(item: dict[str, Any], said: str | None) -> str:
    """A list of objects (recall's hits, summarize's themes) as an array whose description
    says what each item is, every field with its type, format and meaning, and which fields
    every item has, rather than an `items` schema: jsonschema descends into each item
    against its schema (~10-20 us apiece in the SDK client, however little that schema
    checks; a schema per field of every item cost more again), which made that check most
    of its cost on a recall. The reply's own fields keep their schemas."""
    fields = "; ".join(_in_words(name, field) for name, field in item["properties"].items())
    always = ", ".join(item.get("required", []))
    return " ".join(
        filter(None, (said, f"Each item is an object: {_lower_first(item.get('description'))}",
                      f"Fields: {fields}.", f"Every one has {always}." if always else None))
    )  # fmt: skip


def _lower_first(text: str | None) -> str:
    return "" if not text else text[0].lower() + text[1:]


def _in_words(name: str, field: dict[str, Any]) -> str:
    """`score (number): Relevance 0-1...`, `tags (array of string)`, `created_at (string,
    date-time)`, `truncated (boolean, default false): ...`."""
    kind = str(field.get("type", "any"))
    if kind == "array":
        kind += f" of {field.get('items', {}).get('type', 'any')}"
    elif kind == "object" and isinstance(field.get("additionalProperties"), dict):
        kind += f" of {field['additionalProperties'].get('type', 'any')}"
    notes = [kind]
    if "format" in field:
        notes.append(field["format"])
    if "enum" in field:
        notes.append(" or ".join(str(value) for value in field["enum"]))
    if "default" in field:
        notes.append(f"default {json.dumps(field['default'])}")
    words = f"{name} ({', '.join(notes)})"
    return f"{words}: {field['description'].rstrip('.')}" if "description" in field else words


class Tools:
    """Bound methods registered as tools: their signatures are the tools' input schemas and
    their docstrings what the model reads about when to call them."""

    def __init__(self, calls: CallContext) -> None:
        self._calls = calls

    def register(self, mcp: MCPServer[Any]) -> dict[str, dict[str, Any]]:
        """Register the four tools; returns the output schema of each, for tools/list."""
        schemas = {}
        for handler, replies in (
            (self.remember, RememberReply),
            (self.recall, RecallResult),
            (self.forget, ForgetResult),
            (self.summarize, SummaryReply),
        ):
            name = handler.__name__
            description = " ".join((handler.__doc__ or "").split())  # no docstring indentation
            # No output model: the SDK would validate every reply against it again, though
            # each is dumped from that very model; the server lists `schemas` instead.
            mcp.tool(
                annotations=ANNOTATIONS[name], description=description, structured_output=False
            )(handler)
            schemas[name] = flat_schema(replies)
        return schemas

    async def remember(
        self,
        ctx: Context,
        content: Annotated[str, arg("One self-contained statement.")],
        kind: Annotated[WritableKind, arg("Kind of memory.")] = "note",
        tags: Annotated[list[str] | None, arg("Labels to filter on.")] = None,
        scope: Scope = None,
        key: Annotated[
            Text, arg("Named slot, e.g. user.editor; a new value replaces the old.")
        ] = None,
        replaces: Annotated[
            MemoryId | None, arg("Id of a memory this corrects, in its scope.")
        ] = None,
        occurred_at: Annotated[Text, arg(f"When it happened. {When}")] = None,
        ttl: Annotated[Text, arg("Expire after: 30m, 12h, 7d, 2w.")] = None,
        expires_at: Annotated[Text, arg(f"Expire at. {When}")] = None,
        reference_time: Reference = None,
        metadata: Annotated[dict[str, Any] | None, arg("Any JSON object.")] = None,
        context: Annotated[Text, arg("Surrounding conversation; searched, never shown.")] = None,
    ) -> Annotated[CallToolResult, RememberReply]:
        """Store what a later session should know: a preference, a decision, a durable fact.
        Repeats and rewordings are merged; if this updates a `similar` memory of the reply,
        call again with replaces=its id."""
        call = functools.partial(
            _on("remember"), content=content, kind=kind, tags=tags, scope=scope,
            metadata=metadata, key=key, replaces=replaces, occurred_at=occurred_at, ttl=ttl,
            expires_at=expires_at, reference_time=reference_time, context=context,
        )  # fmt: skip
        from memory_mcp.policies.budget import snippet  # with numpy: after the first replies

        sent = RememberReply.of(await self._calls.run(ctx, call, scope=scope, client=True))
        if sent.content is not None and snippet(sent.content, ECHO_TOKENS) != sent.content:
            sent = sent.model_copy(
                update={"content": snippet(sent.content, ECHO_TOKENS), "truncated": True}
            )
        for near in sent.similar:  # enough to tell what each says, not the whole of it
            near.content = snippet(near.content, ECHO_TOKENS)
        return reply(sent.model_copy(update={"note": names_note(scope=scope, key=key, tags=tags)}))

    async def recall(
        self,
        ctx: Context,
        query: Annotated[Text, arg("What you want to know.")] = None,
        limit: Annotated[
            int | None, arg("Most hits (default 8).", ge=1, le=MAX_RECALL_LIMIT)
        ] = None,
        max_tokens: MaxTokens = None,
        scope: ScopeFilter = None,
        kind: KindFilter = None,
        tags: Annotated[list[str] | None, arg("Only with all these tags.")] = None,
        since: Since = None,
        until: Until = None,
        time_field: Annotated[
            Literal["occurred", "recorded"],
            arg("since/until on when it happened or was stored."),
        ] = "occurred",
        include_superseded: Annotated[bool, arg("Also replaced values.")] = False,
        as_of: Annotated[Text, arg(f"What was current then. {When}")] = None,
        ids: Annotated[list[MemoryId] | None, arg("Fetch these in full instead.")] = None,
        reference_time: Reference = None,
    ) -> Annotated[CallToolResult, RecallResult]:
        """Search memory by meaning and keywords. Call it at the start of a task and when the
        user refers to earlier sessions."""
        call = functools.partial(
            _on("recall"), query=query, limit=limit, scope=scope, kind=kind, tags=tags,
            since=since, until=until, time_field=time_field,
            include_superseded=include_superseded, as_of=as_of, max_tokens=max_tokens, ids=ids,
            reference_time=reference_time,
        )  # fmt: skip
        found = await self._calls.run(ctx, call, scope=scope, reads=True)
        said = [names_note(scope=scope, tags=tags), found.note]
        return reply(found.model_copy(update={"note": " ".join(filter(None, said)) or None}))

    async def forget(
        self,
        ctx: Context,
        ids: Annotated[list[MemoryId], arg("Memories to hide.", min_length=1)],
        reason: Annotated[Text, arg("Why, for the record.")] = None,
    ) -> Annotated[CallToolResult, ForgetResult]:
        """Hide memories that are wrong or unwanted. Reversible from the CLI."""
        call = functools.partial(_on("forget"), ids=ids, reason=reason)
        return reply(await self._calls.run(ctx, call, project=False, client=True))

    async def summarize(
        self,
        ctx: Context,
        query: Annotated[Text, arg("Topic; omit for everything.")] = None,
        scope: ScopeFilter = None,
        kind: KindFilter = None,
        since: Since = None,
        until: Until = None,
        limit: Annotated[int, arg("Most themes.", ge=1, le=MAX_RECALL_LIMIT)] = 10,
        max_tokens: MaxTokens = None,
        save: Annotated[bool, arg("Also store it as a `summary` memory.")] = False,
    ) -> Annotated[CallToolResult, SummaryReply]:
        """Overview of what memory holds on a topic, scope or period: themes with their most
        representative memory, ids, counts and dates."""
        call = functools.partial(
            _on("summarize"), query=query, scope=scope, kind=kind, since=since,
            until=until, limit=limit, max_tokens=max_tokens, save=save,
        )  # fmt: skip
        summary = SummaryReply.of(await self._calls.run(ctx, call, scope=scope, client=True))
        return reply(summary.model_copy(update={"note": names_note(scope=scope)}))
