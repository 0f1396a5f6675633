"""The prefilter in front of redaction: one search that lets most text through untouched must
never change what is redacted. Every text of a broad corpus (the secret corpus, every string
the redaction tests write, each in variants that move it past the prefilter's reasons to
look: case, line breaks, %-escapes, private tags) comes out of `redact` and `redact_fields`
exactly as it does with the prefilter switched off, and each rule's needles are in every
text the rule matches."""

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from memory_mcp.policies import redact as redact_module
from memory_mcp.policies import secret_needles as needles_module
from memory_mcp.policies import secrets as secrets_module
from memory_mcp.policies.redact import redact, redact_fields
from memory_mcp.policies.secret_needles import possible_rules
from memory_mcp.policies.secret_rule import Rule, camel_parts
from memory_mcp.policies.secrets import RULES
from tests.secret_corpus import CORPUS

HERE = Path(__file__).resolve().parent
SOURCES = [HERE / "test_redact.py", HERE.parent / "service" / "test_redaction.py"]


def _strings(path: Path) -> list[str]:
    """Every string literal of a test module (f-strings' constant parts too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    return [s for s in found if isinstance(s, str) and s.strip()]


def _variants(text: str) -> list[str]:
    """The text and the ways it may reach redaction otherwise."""
    middle = len(text) // 2
    return [
        text, text.upper(), text.lower(), text.title(), text.swapcase(),
        f"Deploy notes: {text} (see the runbook)", f"{text}\n{text}",
        text[:middle] + "\n" + text[middle:], text[:middle] + " \n  " + text[middle:],
        text[:middle] + "\u200b" + text[middle:], text[:middle] + "\u00ad" + text[middle:],
        quote(text, errors="surrogatepass"), quote(text, safe="", errors="surrogatepass"),
        text.replace(" ", "+"),
        f"<private>{text}</private> kept", f"kept <PRIVATE>{text}", f"{text}</private>",
        text.replace("s", "\u017f").replace("i", "\u0131"), text.replace("k", "\u212a"),
    ]  # fmt: skip


def _corpus() -> list[str]:
    texts = [secret.text for secret in CORPUS] + [secret.snippet for secret in CORPUS]
    for path in SOURCES:
        texts += _strings(path)
    texts += [
        "Deploys run on Fridays in the global scope", "global", "ops", "billing-api",
        "through the night, the ghost of glpat", "ghp_ is how GitHub tokens start",
        "glpat- alone", "GLPAT-" + "x" * 24, "gho_" + "A1" * 20, "GHP_" + "x" * 40,
        "github_pat_" + "x" * 30, "Σίσυφος ΣΊΣΥΦΟΣ passΣ", "İstanbul PASSWORD=İ1234567",
        "[REDACTED:api_key] and then api_key=abcd1234", "%", "<", "\n", "a\nb",
    ]  # fmt: skip
    # every start the case-sensitive token rules know, each needle spelt out in full
    texts += [f"token gh{kind}_{'aB3' * 13} here" for kind in "pousr"]
    texts += [f"token gl{kind}-{'aB3' * 8} here" for kind in ("pat", "dt", "rt", "ptt")]
    return list(dict.fromkeys(v for text in texts for v in _variants(text)))


CORPUS_TEXTS = _corpus()


# Letters `re` matches for "s" and "i" when it ignores case, which lower() keeps as they are:
# a case-blind rule may match a text without its needle then (as it always could).
FOLDED_APART = ("\u017f", "\u0131", "\u0130")


def _outputs() -> list[object]:
    found: list[object] = []
    for text in CORPUS_TEXTS:
        result = redact(text)
        fields = redact_fields(
            content=text, tags=[text, "ops"], scope=text, context=text,
            metadata={"note": text, "password": text, text[:40]: [text, 7]},
        )  # fmt: skip
        found.append((result.text, result.redacted, fields.fields, fields.redacted))
    return found


def test_the_corpus_is_broad() -> None:
    assert len(CORPUS_TEXTS) > 5_000
    redacted = [text for text in CORPUS_TEXTS if redact(text).changed]
    assert len(redacted) > 1_000 and len(CORPUS_TEXTS) - len(redacted) > 1_000


def test_the_prefilter_changes_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    filtered = _outputs()  # and with every text looked at, as before the prefilter:
    monkeypatch.setattr(redact_module, "_WORTH_A_LOOK", re.compile(""))
    assert filtered == _outputs()


def _picks(rule: Rule, text: str) -> bool:
    """Whether a match of `rule` in `text` picks a span (a value under a label is found
    from the line break before it, and the label, the needle, is read back from there; a
    table's cells are matched under their header, which holds the needle)."""
    matches = rule.matches(text, 0, len(text), camel_parts(text, 0, len(text)))
    return any(rule.pick(m)[0][0] < rule.pick(m)[0][1] for m in matches)


def test_every_match_holds_one_of_its_rules_needles() -> None:
    """possible_rules never leaves out a rule that would match (the needles are what every
    match holds), so a text it finds no rule for needs no rule run. The cookie rule's
    pattern is any `name=value`: its needle is the `Cookie:` header its value needs."""
    for text in CORPUS_TEXTS:
        if any(letter in text for letter in FOLDED_APART):
            continue
        possible = possible_rules(text.lower())
        for index, rule in enumerate(RULES):
            if rule.kind != "session_cookie" and _picks(rule, text):
                assert index in possible, (rule.kind, text)


def test_possible_rules_are_the_rules_whose_needles_are_there() -> None:
    """possible_rules looks for the needles that hold no other first, and for the others
    only where one they hold is there: it finds what asking every rule would."""
    for text in CORPUS_TEXTS:
        lowered = text.lower()
        asked = {i for i, rule in enumerate(RULES) if rule.may_match(lowered)}
        assert possible_rules(lowered) == asked, text


def test_camel_case_labels_found_apart_change_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """A label's camelCase start (`dbPassword=`) is matched apart, at the capitals found
    first; redaction is what one pattern testing both starts at every position gave."""
    split = _outputs()
    both = r"(?<![a-z0-9](?![A-Z]))(?<![A-Z])"
    rules = tuple(
        Rule(rule.kind, re.compile(both + rule.camel.pattern), rule.pick, needles=rule.needles)
        if rule.camel is not None
        else rule
        for rule in RULES
    )
    monkeypatch.setattr(secrets_module, "RULES", rules)
    monkeypatch.setattr(redact_module, "RULES", rules)
    monkeypatch.setattr(needles_module, "RULES", rules)  # (rule_picks runs them)
    assert split == _outputs()


def test_plain_text_is_not_looked_at_rule_by_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ordinary memory (its content, a tag, the default scope `global`) is let through by
    one search: no rule is asked whether it may match, let alone run."""
    asked: list[str] = []
    # every rule runs through rule_picks, which asks possible_rules first
    monkeypatch.setattr(needles_module, "possible_rules", lambda t: asked.append(t) or set())
    cleaned = redact_fields(
        content="Deploys run on Fridays after the standup", tags=["ops"], scope="global"
    )
    assert not cleaned.changed and asked == []
    assert redact("The ghp_ prefix marks a GitHub token").text.startswith("The ghp_")
    assert asked  # a needle: looked at


def test_every_text_holding_a_base64_run_is_looked_at() -> None:
    """The prefilter asks whether a text may hold a base64 run with a byte translation, not
    the run's pattern (3.2 us a memory of prose; 0.9 us so): it must say so for every text
    the pattern finds one in, whatever stands around the run."""
    from memory_mcp.policies.secret_variants import BASE64_RUN

    run = "QWxhZGRpbjpvcGVuIHNlc2FtZQ"  # 26 characters
    texts = [run, f"é{run}é", f"日本{run}", f"{run}==", f"-{run}_", f"\ud800{run}", run[:24]]
    texts += [t for t in CORPUS_TEXTS if BASE64_RUN.search(t)]
    for text in texts:
        assert BASE64_RUN.search(text) is not None
        assert not redact_module._plain(text), text
    assert redact_module._plain("a word " + run[:23] + " then prose")
