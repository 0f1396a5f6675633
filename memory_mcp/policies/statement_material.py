"""What a user hands over to be worked on is not the user speaking. Pure, no I/O.

"Can you help me reply to this email?" followed by the email, "Summarize this README:", "here's
a page I found: Hello! I'm Jane, a designer in Austin...", "My colleague says: I prefer short
answers", "Let's role-play. I am a customer. I live in Paris": the lines after such a lead are
someone else's words (or the user's own text handed over as material, or a character's), and
their "I live in Leeds", "Always run the linter" must not be stored as what the user said of
themselves or as their rules, which outside a project reach every project's briefing. The lead
names the material (an email, a page, a document...) with a word that points at it (this, the
following, below, here's), or asks for a task on text (translate, summarize, proofread, reply
to, write...) and ends with a colon, or reports speech ("she wrote:"), or sets up a role-play.
"Here's a bit about me: I'm a nurse" and "My rules:" name no material: the user speaks on.
"""

import re

_MATERIAL = re.compile(
    r"\b(?:e-?mails?|messages?|letters?|texts?|documents?|docs?|pages?|articles?|posts?|"
    r"essays?|readme|reviews?|comments?|bios?|cvs?|resumes?|résumés?|profiles?|transcripts?|"
    r"paragraphs?|passages?|drafts?|stor(?:y|ies)|poems?|chats?|conversations?|tweets?|"
    r"threads?|descriptions?|outputs?|logs?|quotes?|snippets?|excerpts?|website|webpage|"
    r"tickets?|issues?|screenshots?|slides?|minutes|interview|speech|script|lyrics)\b",
    re.IGNORECASE,
)
_POINTING = re.compile(
    r"\b(?:this|these|the following|following|below|here'?s|here is|here are|pasted|attached)\b",
    re.IGNORECASE,
)
# Pointing past the line it stands on ("the text below"), not at something the rule is about.
_STRONG = re.compile(
    r"\b(?:the following|following|below|here'?s|here is|here are|pasted|attached)\b", re.I
)
_TASK = re.compile(
    r"^\W*(?:(?:can|could|would|will) you\s+(?:please\s+)?|please\s+|help me\s+)?"
    r"(?:translate|summari[sz]e|proofread|rewrite|reword|paraphrase|reply to|respond to|"
    r"review|edit|correct|improve|shorten|analy[sz]e|format|check|fix|write|draft|compose)\b",
    re.IGNORECASE,
)
# A game the user sets up: what they say of themselves after it is their character's.
_GAME = re.compile(r"\b(?:role-?play\w*|in character|let's pretend|let us pretend)\b", re.I)
_FIRST_SENTENCE = re.compile(r".*?[.!?](?=\s+\S)")
_REPORTED = re.compile(
    r"\b(?:says?|said|wrote|writes|asks?|asked|told me|replied|posted|texted)\s*:", re.IGNORECASE
)


def own_words(text: str) -> str:
    """`text` up to where it hands over material: after a lead line (it names the material
    and points at it, as a question, a request for a task or with a strong pointer) only
    the lines before it and itself; a colon after a lead, a task or reported speech ends
    the line there, and so does the first sentence of a line asking for a task on named
    material ("Proofread my essay."); a role-play set up ends the message where it is."""
    kept: list[str] = []
    for line in text.splitlines():
        if (game := _GAME.search(line)) is not None:
            kept.append(line[: game.start()])
            break
        colon = line.find(":")
        lead = line if colon < 0 else line[:colon]
        reported = _REPORTED.search(line)
        if reported is not None or (colon >= 0 and (_names_material(lead) or _TASK.match(lead))):
            kept.append(line[: reported.start()] if reported is not None else lead)
            return "\n".join(kept)
        first = _FIRST_SENTENCE.match(line)
        if first is not None and _TASK.match(first[0]) and _MATERIAL.search(first[0]):
            kept.append(first[0])  # "Proofread my essay. I grew up in...": the essay
            break
        kept.append(line)
        if _names_material(line) and (
            line.rstrip().endswith(("?", ":")) or _TASK.match(line) or _STRONG.search(line)
        ):
            break
    return "\n".join(kept)


def _names_material(line: str) -> bool:
    return bool(_POINTING.search(line) and _MATERIAL.search(line))
