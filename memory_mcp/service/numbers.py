"""A boolean where the service's public methods take a number is refused, as the MCP tools
refuse it (adapters/mcp_server/refusals.misplaced_booleans) and in the same words: Python's
`True` is an int, so `recall(limit=True)` asked for one hit and `get(True)` read memory 1.

Which parameters take numbers is read from the methods' annotations once, when the class is
made; a call then looks only at the arguments given for those.
"""

import functools
import inspect
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from memory_mcp.errors import InvalidInput

C = TypeVar("C", bound=type)
_WORDS = {int: "a whole number", float: "a number"}


def refuse_booleans(cls: C) -> C:
    """Wrap every public method of `cls` (inherited ones too) that takes a number, or a list
    of them, so a boolean there raises InvalidInput naming the argument."""
    for name in dir(cls):
        method = inspect.getattr_static(cls, name)
        if name.startswith("_") or not inspect.isfunction(method):  # (not static or class)
            continue
        numeric = _numeric(method)
        if numeric:
            setattr(cls, name, _checked(method, numeric))
    return cls


def _numeric(method: Callable[..., Any]) -> dict[str, tuple[str, bool]]:
    """Parameter -> (what it takes in words, whether it is a list of them)."""
    found = {}
    for param, hint in _parameter_hints(method).items():
        options = _options(hint)
        if words := _words(options):
            found[param] = (words, False)
            continue
        for option in options:
            if typing.get_origin(option) in (list, Sequence) and (
                words := _words(_options(typing.get_args(option)[0]))
            ):
                found[param] = (words, True)
    return found


def _parameter_hints(method: Callable[..., Any]) -> dict[str, Any]:
    """The method's parameters' annotations, evaluated; not its return type's, which may name
    a class imported only for type checking (the parts' results, parts.py)."""

    def parameters() -> None: ...

    parameters.__annotations__ = {k: v for k, v in method.__annotations__.items() if k != "return"}
    return typing.get_type_hints(parameters, globalns=getattr(method, "__globals__", None))


def _options(hint: Any) -> tuple[Any, ...]:
    is_union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    return tuple(a for a in typing.get_args(hint) if a is not type(None)) if is_union else (hint,)


def _words(options: tuple[Any, ...]) -> str | None:
    if bool in options or not any(o in _WORDS for o in options):
        return None
    return _WORDS[float] if float in options else _WORDS[int]


def _checked(method: Callable[..., Any], numeric: dict[str, tuple[str, bool]]) -> Any:
    names = list(inspect.signature(method).parameters)

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        given = [*zip(names, args, strict=False), *kwargs.items()]
        wrong = [w for name, value in given if name in numeric
                 for w in _misplaced(name, value, *numeric[name])]  # fmt: skip
        if wrong:
            raise InvalidInput(f"Invalid arguments for {method.__name__}: {'; '.join(wrong)}.")
        return method(*args, **kwargs)

    return call


def _misplaced(name: str, value: Any, words: str, listed: bool) -> list[str]:
    if listed and isinstance(value, list | tuple):
        return [f"{name}.{i}: must be {words}, not {str(v).lower()}"
                for i, v in enumerate(value) if isinstance(v, bool)]  # fmt: skip
    if isinstance(value, bool):
        return [f"{name}: must be {words}, not {str(value).lower()}"]
    return []
