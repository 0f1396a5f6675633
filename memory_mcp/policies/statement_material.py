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

# The material, named in each language capture reads (statement_languages.py).
_MATERIAL = re.compile(
    r"\b(?:e-?mails?|messages?|letters?|texts?|documents?|docs?|pages?|articles?|posts?|"
    r"essays?|readme|reviews?|comments?|bios?|cvs?|resumes?|résumés?|profiles?|transcripts?|"
    r"paragraphs?|passages?|drafts?|stor(?:y|ies)|poems?|chats?|conversations?|tweets?|"
    r"threads?|descriptions?|outputs?|logs?|quotes?|snippets?|excerpts?|website|webpage|"
    r"tickets?|issues?|screenshots?|slides?|minutes|interview|speech|script|lyrics|"
    # French
    r"courriels?|mails?|lettres?|textes?|paragraphes?|brouillons?|commentaires?|avis|"
    r"discours|extraits?|"
    # German
    r"nachrichten|nachricht|briefe|dokumente?|dokument|seiten?|artikel|absatz|absätze|"
    r"entwurf|entwürfe|kommentare?|bewertungen|bewertung|zitate?|lebenslauf|"
    # Spanish
    r"correos?|mensajes?|cartas?|textos?|documentos?|páginas?|artículos?|párrafos?|"
    r"borrador(?:es)?|comentarios?|reseñas?|fragmentos?|"
    # Portuguese
    r"mensage(?:m|ns)|artigos?|parágrafos?|rascunhos?|comentários?|avaliaç(?:ão|ões)|"
    r"trechos?|"
    # Italian
    r"messaggi|messaggio|lettere|lettera|testi|testo|documenti|documento|pagine|pagina|"
    r"articoli|articolo|paragrafi|paragrafo|bozze|bozza|commenti|commento|recensioni|"
    r"recensione|brano)\b",
    re.IGNORECASE,
)
_STRONG_WORDS = (
    r"the following|following|below|here'?s|here is|here are|pasted|attached|"
    r"ci-dessous|suivante?s?|voici|voilà|ci-joint|collée?s?|"
    r"folgenden?|folgende[rs]?|unten|anbei|angehängte[nr]?|hier ist|hier sind|"
    r"siguientes?|abajo|aquí (?:está|tienes|va)|adjunto|pegado|"
    r"seguintes?|abaixo|aqui (?:está|vai)|segue|anexo|colado|"
    r"seguenti|seguente|qui sotto|ecco|allegato|incollato"
)
_POINTING = re.compile(
    r"\b(?:this|these|" + _STRONG_WORDS + r"|ce|cet|cette|ces|diese[nmrs]?|este|esta|estos|"
    r"estas|estes|esse|essa|questo|questa|questi|queste)\b",
    re.IGNORECASE,
)
# Pointing past the line it stands on ("the text below"), not at something the rule is about.
_STRONG = re.compile(r"\b(?:" + _STRONG_WORDS + r")\b", re.IGNORECASE)
# A task on text, asked at the start of a line; not a rule said with always or never ("Réponds
# toujours en français", "Antworte immer auf Deutsch").
_TASK = re.compile(
    r"^\W*(?:(?:can|could|would|will) you\s+(?:please\s+)?|please\s+|help me\s+|"
    r"(?:peux-tu|pourrais-tu|pouvez-vous|pourriez-vous|tu peux|merci de|aide-moi à)\s+|"
    r"(?:kannst du|könntest du|können sie|bitte)\s+|"
    r"(?:¿?\s*(?:puedes|podrías|puede|podría)|por favor,?|ayúdame a)\s+|"
    r"(?:podes|poderias|pode|poderia|você pode|por favor,?|me ajuda a)\s+|"
    r"(?:puoi|potresti|può|per favore,?|aiutami a)\s+)?"
    r"(?!.*\b(?:always|never|toujours|jamais|immer|nie|niemals|siempre|nunca|sempre|mai)\b)"
    r"(?:translate|summari[sz]e|proofread|rewrite|reword|paraphrase|reply to|respond to|"
    r"review|edit|correct|improve|shorten|analy[sz]e|format|check|fix|write|draft|compose|"
    r"tradui[rst]e?|traduisez|résum(?:e|er|ez)|reli(?:s|re|sez)|corrig(?:e|er|ez)|"
    r"réécri(?:s|re|vez)|reformul(?:e|er|ez)|répond(?:s|re|ez) à|amélior(?:e|er|ez)|"
    r"rédig(?:e|er|ez)|analys(?:e|er|ez)|"
    r"übersetze[n]?|fasse|zusammenfassen|korrigiere[n]?|überarbeite[n]?|beantworte[n]?|"
    r"antworte auf|formuliere|verbessere[n]?|kürze[n]?|analysiere[n]?|"
    r"traduc(?:e|ir)|resum(?:e|ir)|corrig(?:e|ir)|revis(?:a|ar)|reescrib(?:e|ir)|"
    r"respond(?:e|er) a|contesta(?:r)? a|mejora(?:r)?|redacta(?:r)?|analiza(?:r)?|"
    r"traduz(?:a|ir)?|resuma|corrija|revise|reescrev(?:e|a|er)|respond(?:a|er) (?:a|ao|à)|"
    r"melhor(?:e|a|ar)|redij(?:a|ir)|analis(?:e|a|ar)|"
    r"traduci|tradurre|riassumi|riassumere|correggi|correggere|rivedi|riscrivi|"
    r"rispondi a|migliora|redigi|analizza)\b",
    re.IGNORECASE,
)
# A game the user sets up: what they say of themselves after it is their character's.
_GAME = re.compile(
    r"\b(?:role-?play\w*|in character|let's pretend|let us pretend|jeu de rôle|jouons à|"
    r"faisons semblant|rollenspiel|tun wir so|juego de rol|finjamos|vamos fingir|"
    r"gioco di ruolo|facciamo finta|fingiamo)\b",
    re.I,
)
_FIRST_SENTENCE = re.compile(r".*?[.!?](?=\s+\S)")
# One piece of material, someone's or one at hand ("Proofread my essay.", "Write a cover
# letter."), not a kind of text a rule is about ("Write commit messages in the imperative
# mood.", "Review the PR description" for how it is done).
_ONE_PIECE = re.compile(
    r"\b(?:my|our|his|her|their|your|this|these|that|those|a|an|mon|ma|mes|mein\w*|mi|mis|"
    r"meu|minha|il mio|la mia)\s+(?:[\w-]+\s+){0,2}?" + _MATERIAL.pattern,
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:says?|said|wrote|writes|asks?|asked|told me|replied|posted|texted|"
    r"dit|a dit|écrit|a écrit|demande|sagt|sagte|schreibt|schrieb|fragt|"
    r"dice|dijo|escribe|escribió|pregunta|diz|disse|escreve|escreveu|"
    r"ha detto|scrive|ha scritto|chiede)\s*:",
    re.IGNORECASE,
)
# Material with no lead line: an email's headers (two in a row: "From:", "Subject:", in each
# language), a forwarded message's marker, or a line (or lines) wholly in quotes.
_HEADER = re.compile(
    r"^\s*(?:from|to|cc|subject|date|sent|reply-to|de|à|objet|envoyé|von|an|betreff|datum|"
    r"gesendet|para|asunto|fecha|enviado|assunto|data|da|a|oggetto|inviato)\s*:",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    r"\b(?:forwarded message|begin forwarded message|original message|message transféré|"
    r"message d'origine|weitergeleitete nachricht|ursprüngliche nachricht|mensaje reenviado|"
    r"mensaje original|mensagem encaminhada|mensagem original|messaggio inoltrato|"
    r"messaggio originale)\b",
    re.IGNORECASE,
)
_OPENS = '"“«„'
_CLOSES = '"”»“'
# A lead is said in a line's first words: its words are looked for there alone (each
# language's material and tasks are long alternations; over a pasted 400 KB line, 6 s).
LEAD_CHARS = 500


def own_words(text: str) -> str:
    """`text` up to where it hands over material: after a lead line (it names the material
    and points at it, as a question, a request for a task or with a strong pointer) only
    the lines before it and itself; a colon after a lead, a task or reported speech ends
    the line there, and so does the first sentence of a line asking for a task on named
    material ("Proofread my essay."); a role-play set up ends the message where it is. With
    no lead, an email's headers or a forwarded message's marker end it too, and lines wholly
    in quotes are left out (someone's words, quoted)."""
    kept: list[str] = []
    for line in _unquoted(_before_headers(text.splitlines())):
        head = line[:LEAD_CHARS]
        if (game := _GAME.search(head)) is not None:
            kept.append(line[: game.start()])
            break
        colon = head.find(":")
        lead = head if colon < 0 else head[:colon]
        reported = _REPORTED.search(head)
        if reported is not None or (colon >= 0 and (_names_material(lead) or _TASK.match(lead))):
            kept.append(line[: reported.start()] if reported is not None else lead)
            return "\n".join(kept)
        first = _FIRST_SENTENCE.match(head)
        if first is not None and _TASK.match(first[0]) and _ONE_PIECE.search(first[0]):
            kept.append(first[0])  # "Proofread my essay. I grew up in...": the essay
            break
        kept.append(line)
        if _names_material(head) and (
            line.rstrip().endswith(("?", ":")) or _TASK.match(head) or _STRONG.search(head)
        ):
            break
    return "\n".join(kept)


def _names_material(line: str) -> bool:
    return bool(_POINTING.search(line) and _MATERIAL.search(line))


def _before_headers(lines: list[str]) -> list[str]:
    """The lines before an email's headers (two header lines in a row) or a forwarded
    message's marker."""
    for n, line in enumerate(lines):
        headers = _HEADER.match(line) and n + 1 < len(lines) and _HEADER.match(lines[n + 1])
        if headers or _FORWARDED.search(line[:LEAD_CHARS]):
            return lines[:n]
    return lines


def _unquoted(lines: list[str]) -> list[str]:
    """The lines not wholly in quotes: a line opening with a quote and ending with one, or
    the lines from one opening a quote it does not close to the one that closes it; when
    the user says something besides ("What do you make of this?"). A message that is all
    quote is theirs: people wrap their own words in quotes too."""
    kept: list[str] = []
    quoting = False
    for line in lines:
        text = line.strip().rstrip(".,;:!?").rstrip()
        opens = text[:1] in _OPENS
        closes = len(text) > 1 and text[-1] in _CLOSES
        if quoting:
            quoting = not closes
        elif opens and not closes and not any(c in _CLOSES for c in text[1:]):
            quoting = True
        elif not (opens and closes):
            kept.append(line)
    return kept if any(line.strip() for line in kept) else lines
