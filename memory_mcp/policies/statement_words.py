"""Each language's shapes of a durable statement (policies/statement_languages.py reads
them): French, German, Spanish, Portuguese, Italian. The words that fill their `<NAME>`
places, and tell one language from another, are statement_vocabulary.py's. No I/O."""

import re
from dataclasses import dataclass

from memory_mcp.policies import statement_vocabulary as words


@dataclass(frozen=True)
class Language:
    name: str
    preference: list[re.Pattern[str]]
    decision: list[re.Pattern[str]]
    excluded: list[re.Pattern[str]]  # questions, hedges, hypotheticals, "for now"
    leading: re.Pattern[str]  # a leading conjunction or correction, dropped
    markers: frozenset[str]  # its commonest small words
    letters: frozenset[str]  # letters its neighbours here do not write


def _compile(patterns: list[str], parts: dict[str, str]) -> list[re.Pattern[str]]:
    """Each pattern with its `<NAME>` placeholders filled from `parts` (regular expression
    braces stay as they are), case-insensitive."""
    compiled = []
    for pattern in patterns:
        for name, part in parts.items():
            pattern = pattern.replace(f"<{name}>", part)
        compiled.append(re.compile(pattern, re.IGNORECASE))
    return compiled


def _language(name: str, rules: dict[str, list[str]], parts: dict[str, str]) -> Language:
    leading = re.compile(
        rf"^(?:(?:{parts['LEAD']})\b,?\s+|(?:{parts['NO']})\s*[,.!:;—-]\s*|"
        rf"(?:{parts['ACTUALLY']})\b[,.!:;]?\s*)+",
        re.IGNORECASE,
    )
    return Language(
        name,
        _compile(rules["preference"], parts),
        _compile(rules["decision"], parts),
        _compile(rules["excluded"], parts),
        leading,
        frozenset(parts["MARKERS"].split()),
        frozenset(parts["LETTERS"].split()),
    )


FRENCH = _language(
    "fr",
    {
        "preference": [
            r"^<PLEASE>(?!<COMPLAINT>\b)\w+(?:e|es|ez|s)\s+(?:toujours|jamais)\s+(?!<NOT_AFTER>\b)\w",
            r"^<PLEASE>(?:ne\s+)?(?:toujours|jamais|plus jamais)\s+\w+(?:er|ir|re)\b",
            r"^<PLEASE>(?:ne\s+|n')(?!t'|te\s|vous\s|<MOMENT>\b|<COMPLAINT>\b|<HABIT>\b)"
            r"\w+(?:e|es|ez|s)\s+"
            r"(?:jamais|plus|pas)\s+(?!<THIS_TASK>\b)\w<NOT_ONLY_THIS>",
            # a pointer then where says which ("Ne fais jamais ça en production"; German below)
            r"^<PLEASE>(?:ne\s+|n')(?!<MOMENT>\b|<COMPLAINT>\b|<HABIT>\b)\w+(?:e|es|ez|s)\s+"
            r"(?:plus\s+)?jamais\s+(?:ça|cela)\s+(?:en|sur|dans)\s+(?!entier\b|même\b)\w",
            r"\b(?:à partir de maintenant|désormais|dorénavant|à l'avenir|"
            r"à partir d'aujourd'hui|dès maintenant)\b",
            r"\b(?:je|nous|on)\s+(?:ne\s+|n')?(?:se\s+|s'|me\s+|m'|nous\s+)?(?!<HABIT>\b)\w+\s+"
            r"(?:toujours|jamais|systématiquement)\b(?!\s+(?:<NOT_AFTER>)\b)",
            r"\bj'(?!<HABIT>\b)\w+\s+(?:toujours|jamais|systématiquement)\b",
            r"\b(?:je|nous|on)\s+(?:préfère|préférons|préférerais|préférerions|préférerait)\b"
            r"(?!\s+(?:ne pas (?:dire|répondre)|celle|celui|ceux|ça|cela|la première|"
            r"la deuxième|le premier|le second|la seconde|l'autre|la tienne|la vôtre)\b)",
            r"\b(?:j'aime|on aime|nous aimons) mieux\b",
            r"^(?:on|nous)\s+(?:utilise|utilisons|écrit|écrivons|lance|lançons|déploie|"
            r"déployons|formate|formatons|teste|testons|se sert de|nous servons de)\s+"
            r"(?!ça|cela|ceci|ce\b|cet\b|cette|ces\b)\w",
            r"\b(?:notre|la) convention\b",
            r"\bpar convention\b",
            r"^(?!ça\b|cela\b|ce\b|c'|il\b|elle\b)\w+(?:\s+[\w'-]+){0,3}\s+(?:ne\s+)?"
            r"(?:doit|doivent)\s+(?:toujours|jamais)\s",
            r"^<PLEASE>il (?:faut toujours|ne faut jamais)\s",
        ],
        "decision": [
            r"\b(?:on a|nous avons|j'ai|l'équipe a|tout le monde a)\s+(?:décidé|choisi|"
            r"convenu|opté|tranché)\b",
            r"\bon (?:part|partira|va partir) sur\b",
            r"\bon (?:reste|restera|garde)\s+(?:sur|avec)\b",
            r"^décision\s*:",
            r"\b(?:on migre|nous migrons)\s+(?:\S+\s+){0,4}?(?:vers|à|sur)\b",
        ],
        "excluded": [
            r"^(?:est-ce|qu'est-ce|pourquoi|comment|quand|où|quel|quelle|quels|quelles|qui|"
            r"que|quoi|combien|\w+-(?:tu|vous|on|il|elle|nous|ils|elles))\b",
            r"\b(?:peut-être|probablement|je pense|je crois|il me semble|pas sûr|pas sûre|"
            r"pas certain|on pourrait|on devrait|et si|je me demande|éventuellement|serait|"
            r"pourrait|aurait|si|s'il|s'ils)\b",
            r"\b(?:pour l'instant|pour le moment|pour cette fois|cette fois|"
            r"(?<!partir d')aujourd'hui|demain|ce soir|(?<!partir de )(?<!dès )maintenant|"
            r"tout de suite|temporairement|provisoirement|dans cette session|"
            r"pour cette tâche|pour ce commit)\b",
        ],
    },
    words.FRENCH,
)

GERMAN = _language(
    "de",
    {
        "preference": [
            r"^<PLEASE>(?!<NOT_FIRST>\b|<HABIT>\b)(?!\w+t\b)\w+(?:\s+(?:sie|du|ihr))?\s+"
            r"(?:immer|nie|niemals|stets|grundsätzlich)\s+(?!<NOT_AFTER>\b)\w",
            r"^<PLEASE>(?!<NOT_FIRST>\b|<HABIT>\b)(?!\w+t\b)\w+\s+(?:das|es)\s+"
            r"(?:nie|niemals|immer|stets)\s+(?:in|auf|im|ohne|vor|nach)\s+\w",
            r"^<PLEASE>(?:immer|nie|niemals|nie wieder|stets)\s+(?!<NOT_AFTER>\b|diese[nrs]?\b)"
            r"(?:\S+\s+){0,6}?\w+en[.!]?$",
            r"^<PLEASE>(?!<NOT_FIRST>\b|<HABIT>\b)(?!\w+t\b)\w+(?:\s+(?:sie|du|ihr))?\s+"
            r"(?:keine?[nmrs]?)\s+(?!sorgen|stress|panik|umstände|gedanken|ahnung)\w",
            r"\b(?:ab jetzt|von jetzt an|ab sofort|künftig|zukünftig|in zukunft|fortan|"
            r"ab heute|von nun an|ab nun)\b",
            r"\b(?:ich|wir|man)\s+(?!<HABIT>\b)\w+\s+(?:immer|nie|niemals|stets|grundsätzlich)\b"
            r"(?!\s+(?:<NOT_AFTER>)\b)",
            r"^(?:[\w-]+\s+){0,4}?(?!<HABIT>\b)\w+\s+(?:wir|ich|man)\s+"
            r"(?:immer|nie|niemals|stets|grundsätzlich)\b(?!\s+(?:<NOT_AFTER>)\b)",
            r"\b(?:ich|wir)\s+(?:bevorzuge|bevorzugen)\b(?!\s+(?:<THIS_ONE>)\b)",
            r"\b(?:ich|wir)\s+(?:ziehe|ziehen)\s+(?!<THIS_ONE>\b).*\bvor\b",
            r"\b(?:ich|wir)\s+(?:würde|würden|hätte|hätten|mag|mögen|nehme|nehmen|verwende|"
            r"verwenden|nutze|nutzen)\s+(?:\w+\s+)?lieber\b",
            r"^(?:wir|ich)\s+(?:verwenden|nutzen|benutzen|schreiben|deployen|formatieren|"
            r"testen|verwende|nutze|benutze|setzen auf|setze auf)\s+(?!das\b|dies|es\b)\w",
            r"\b(?:unsere|die) konvention\b",
            r"\b(?:per konvention|konventionsgemäß)\b",
            r"^(?!das\b|es\b|dies|da\b|er\b|sie\b|ich\b|du\b|man\b|wir\b)\w+(?:\s+[\w-]+){0,3}"
            r"\s+(?:müssen|muss|dürfen|darf)\s+(?:immer|nie|niemals|nicht|keine?n?)\s",
        ],
        "decision": [
            r"\b(?:wir|ich|das team|alle)\s+(?:haben|habe|hat)\s+(?:uns\s+)?(?:[\w-]+\s+){0,5}?"
            r"(?:entschieden|beschlossen|geeinigt|festgelegt|gewählt)\b",
            r"\bwir\s+(?:entscheiden|einigen)\s+uns\b",
            r"\b(?:wir bleiben|es bleibt) bei\b",
            r"^entscheidung\s*:",
            r"\bwir (?:wechseln|migrieren|steigen)\b(?:\s+[\w.-]+){0,6}\s+(?:auf|zu|nach)\b",
            r"^lass(?:t)? uns\b.*\b(?:bleiben|nehmen|verwenden|nutzen|standardisieren)[.!]?$",
        ],
        "excluded": [
            # negated: "not always" is no habit, "we have not decided" no decision
            r"\bnicht\s+(?:immer|stets|grundsätzlich)\b",
            r"\b(?:nicht|nichts|nie|keine?n?)\s+(?:[\w-]+\s+){0,3}?(?:entschieden|beschlossen|"
            r"geeinigt|festgelegt|gewählt)\b",
            r"^(?:wer|was|wo|wann|warum|wieso|weshalb|wie|welche[rsnm]?|woher|wohin|wozu|"
            r"kannst|könntest|kann|können|könnten|sollen|sollten|soll|sollte|muss|müssen|"
            r"darf|dürfen|ist|sind|hast|habt|haben|hat|gibt|wird|werden|würdest|würde|würden|"
            r"machst|macht|weißt|verstehst|siehst)\b",
            r"\b(?:vielleicht|wahrscheinlich|eventuell|evtl|möglicherweise|ich glaube|"
            r"ich denke|ich vermute|glaube ich|denke ich|nicht sicher|keine ahnung|"
            r"könnten wir|sollten wir|wäre|wären|könnte|könnten|wenn|falls|angenommen)\b",
            r"\b(?:würden?|hätten?)\b(?!\s+(?:\w+\s+)?lieber\b)",
            r"\b(?:vorerst|erstmal|erst mal|fürs erste|für jetzt|(?<!ab )heute|(?<!jeden )morgen|"
            r"diesmal|dieses mal|gerade|(?<!ab )(?<!von )jetzt|momentan|im moment|"
            r"vorübergehend|temporär|in dieser sitzung|für diese aufgabe|"
            r"für diesen commit)\b",
        ],
    },
    words.GERMAN,
)

SPANISH = _language(
    "es",
    {
        "preference": [
            r"^<PLEASE>(?!<NOT_IMPERATIVE>\b)\w+(?:a|e|ad|ed|id)\s+siempre\s+(?!<NOT_AFTER>\b)\w",
            r"^<PLEASE>(?:siempre|nunca|jamás)\s+\w+(?:ar|er|ir)\b",
            r"^<PLEASE>(?:nunca|jamás)\s+(?!<NOT_VERB>\b)\w+(?:es|as|éis|áis)\b",
            r"^<PLEASE>no\s+(?!<NOT_VERB>\b)\w+(?:es|as|éis|áis)\s+(?:nunca|jamás)\b",
            # an English "No changes needed" reads alike: a Spanish word must follow
            r"^<PLEASE>no\s+(?!<NOT_VERB>\b)\w+(?:es|as|éis|áis)\b(?!.*\b(?:nada más|eso|esto|"
            r"esa|ese|esos|esas|aún|todavía|otra vez|de nuevo|ahora)\b[.!]?$)"
            r"(?=.*\b(?:el|la|los|las|del|en|con|para|por|una?|al|nada|sin|ni)\b)",
            r"\b(?:a partir de ahora|de ahora en adelante|desde ahora|en adelante|en el futuro|"
            r"a partir de hoy|de aquí en adelante)\b",
            r"(?:^|\b(?:yo|nosotros|nosotras)\s+)(?:siempre|nunca|jamás)\s+(?!<HABIT>\b)"
            r"\w+(?:amos|emos|imos|o)\b",
            r"(?:^|\b(?:yo|nosotros|nosotras)\s+)(?:no\s+)?(?!<HABIT>\b)\w+(?:amos|emos|imos|o)"
            r"\s+(?:siempre|nunca|jamás)\b",
            r"\b(?:en este (?:repo|proyecto|código)|aquí),?\s+(?:(?:siempre|nunca|no)\s+)?"
            r"(?!<HABIT>\b)\w+(?:amos|emos|imos)\b",
            r"\b(?:prefiero|preferimos|preferiría|preferiríamos)\b(?!\s+(?:no (?:decir|contestar|"
            r"responder)|<THIS_ONE>)\b)",
            r"^(?:nosotros\s+)?(?:usamos|utilizamos|escribimos|ejecutamos|desplegamos|"
            r"formateamos|probamos|trabajamos con)\s+(?!esto|eso|esta|este|estas|estos|esa|ese|"
            r"esas|esos|lo\b|la\b|los\b|las\b)\w",
            r"\b(?:nuestra|la) convención\b",
            r"\bpor convención\b",
            r"^(?!esto\b|eso\b|ello\b|él\b|ella\b|hay\b|no\b)\w+(?:\s+[\w-]+){0,3}\s+"
            r"(?:(?:siempre|nunca|jamás|no)\s+(?:debe|deben)\b|(?:debe|deben|tiene que|"
            r"tienen que)\s+(?:siempre|nunca|jamás)\b)",
        ],
        "decision": [
            r"\b(?:hemos|he|ha|han|habíamos)\s+(?:decidido|acordado|elegido|optado|"
            r"quedado en)\b",
            r"\b(?:decidimos|acordamos|elegimos|optamos|el equipo decidió|decidí)\b",
            r"\bnos quedamos con\b",
            r"\bvamos con\b(?!\s+(?:retraso|prisa|tiempo|calma))",
            r"^decisión\s*:",
            r"\b(?:nos pasamos|migramos)\s+(?:\S+\s+){0,4}?a\b",
        ],
        "excluded": [
            r"¿",
            r"\bno\s+siempre\b",
            r"\b(?:no|nunca|todavía no|aún no)\s+(?:(?:hemos|he|ha|han|habíamos)\s+)?"
            r"(?:decidido|acordado|elegido|optado|quedado en|decidimos|acordamos|elegimos|"
            r"optamos|decidí)\b",
            r"^(?:qué|que|quién|quien|quiénes|dónde|donde|cuándo|cuando|por qué|porque|cómo|"
            r"como|cuál|cual|cuáles|cuánto|cuánta|puedes|podrías|podemos|deberíamos|debería|"
            r"sabes)\b",
            r"\b(?:quizás|quizá|tal vez|a lo mejor|probablemente|posiblemente|creo que|"
            r"me parece|no estoy seguro|no estoy segura|no sé si|podríamos|deberíamos|sería|"
            r"serían|habría|y si|qué tal si|si)\b",
            r"\b(?:por ahora|de momento|por el momento|esta vez|(?<!partir de )hoy|mañana|"
            r"esta noche|ahora mismo|(?<!partir de )(?<!desde )ahora(?! en adelante)|"
            r"temporalmente|solo esta vez|en esta sesión|para esta tarea|para este commit)\b",
        ],
    },
    words.SPANISH,
)

PORTUGUESE = _language(
    "pt",
    {
        "preference": [
            r"^<PLEASE>(?!<NOT_IMPERATIVE>\b)\w+[ae]\s+sempre\s+(?!<NOT_AFTER>\b)\w",
            r"^<PLEASE>(?:sempre|nunca|jamais)\s+(?!<NOT_IMPERATIVE>\b)\w+[ae]\b"
            r"(?!\s+<NOT_AFTER>\b)",
            r"^<PLEASE>(?:sempre|nunca|jamais)\s+\w+(?:ar|er|ir)\b",
            r"^<PLEASE>não\s+(?!<NOT_VERB>\b)\w+(?:e|a|es|as)\s+(?:nunca|jamais)\b",
            r"^<PLEASE>não\s+(?!<NOT_VERB>\b)\w+(?:e|a|es|as)\b(?!.*\b(?:mais nada|nada mais|"
            r"isso|isto|ainda|de novo|outra vez|agora)\b[.!]?$)",
            r"\b(?:a partir de agora|de agora em diante|daqui (?:pra|para) frente|"
            r"daqui em diante|no futuro|doravante|a partir de hoje)\b",
            r"(?:^|\b(?:eu|nós)\s+)(?:sempre|nunca|jamais)\s+(?!<HABIT>\b)"
            r"\w+(?:amos|emos|imos|o)\b",
            r"(?:^|\b(?:eu|nós)\s+)(?:não\s+)?(?!<HABIT>\b)\w+(?:amos|emos|imos|o)\s+"
            r"(?:sempre|nunca|jamais)\b",
            r"\ba gente\s+(?:sempre|nunca|não)\s+(?!<HABIT3>\b)\w+[ae]\b",
            r"\ba gente\s+(?!<HABIT3>\b)\w+[ae]\s+sempre\b",
            r"\b(?:neste|nesse) (?:repo|projeto|repositório|código),?\s+"
            r"(?:(?:sempre|nunca|não)\s+)?(?!<HABIT>\b)\w+(?:amos|emos|imos)\b",
            r"\b(?:prefiro|preferimos|preferiria|preferiríamos|a gente prefere)\b"
            r"(?!\s+(?:não (?:dizer|responder|comentar)|<THIS_ONE>)\b)",
            r"^(?:nós\s+|a gente\s+)?(?:usamos|utilizamos|escrevemos|rodamos|executamos|"
            r"formatamos|testamos|trabalhamos com|usa|utiliza)\s+(?!isso|isto|esse|essa|esses|"
            r"essas|este|esta|estes|estas|o\b|a\b|os\b|as\b)\w",
            r"\b(?:nossa|a) convenção\b",
            r"\bpor convenção\b",
            r"^(?!isso\b|isto\b|ele\b|ela\b|há\b|não\b)\w+(?:\s+[\w-]+){0,3}\s+"
            r"(?:(?:sempre|nunca|jamais|não)\s+(?:deve|devem)\b|(?:deve|devem|tem que|"
            r"têm que)\s+(?:sempre|nunca|jamais)\b)",
        ],
        "decision": [
            r"\b(?:decidimos|decidi|combinamos|escolhemos|optamos|resolvemos)\b",
            r"\b(?:a gente|o time|a equipe|o pessoal)\s+(?:decidiu|escolheu|combinou|optou|"
            r"resolveu)\b",
            r"\b(?:ficamos|vamos ficar) com\b",
            r"^decisão\s*:",
            r"\b(?:estamos migrando|vamos migrar|migramos)\s+(?:\S+\s+){0,4}?(?:para|pro|pra)\b",
        ],
        "excluded": [
            r"\b(?:não|nao|nunca|nem)\s+(?:\w+\s+)?sempre\b",
            r"\b(?:não|nao|nunca)\s+(?:decidimos|decidi|combinamos|escolhemos|optamos|"
            r"resolvemos|decidiu|escolheu|combinou|optou|resolveu)\b",
            r"^(?:o que|que|quem|onde|quando|por que|por quê|porque|como|qual|quais|quanto|"
            r"quantos|pode|podes|poderia|podemos|devemos|deveríamos|será|você pode|"
            r"você sabe|sabe)\b",
            r"\b(?:talvez|provavelmente|possivelmente|acho que|eu acho|creio que|"
            r"não tenho certeza|não sei se|poderíamos|deveríamos|seria|seriam|e se|caso)\b",
            r"(?:^|,\s*)se\b",
            r"\b(?:por enquanto|por agora|por ora|desta vez|dessa vez|(?<!partir de )hoje|"
            r"amanhã|agora mesmo|(?<!partir de )(?<!de )agora(?! em diante)|temporariamente|"
            r"só desta vez|nesta sessão|para esta tarefa|para este commit)\b",
        ],
    },
    words.PORTUGUESE,
)

ITALIAN = _language(
    "it",
    {
        "preference": [
            r"^<PLEASE>(?!<NOT_IMPERATIVE>\b)\w+(?:a|i|ate|ete|ite)\s+sempre\s+"
            r"(?!<NOT_AFTER>\b)\w",
            r"^<PLEASE>(?:mai|sempre)\s+\w+(?:are|ere|ire)\b",
            r"^<PLEASE>non\s+(?!<MOMENT>)\w+(?:are|ere|ire|ate|ete|ite)\w{0,4}\s+mai\b",
            r"^<PLEASE>non\s+(?!<MOMENT>)\w+(?:are|ere|ire|ate|ete|ite)\b(?!.*\b(?:altro|"
            r"nient'altro|questo|quello|ciò|ora|adesso|ancora|di nuovo|un'altra volta)\b[.!]?$)",
            r"\b(?:d'ora in poi|da ora in poi|da adesso in poi|d'ora in avanti|"
            r"da ora in avanti|in futuro|da oggi in poi|d'ora innanzi)\b",
            r"(?:^|\b(?:io|noi)\s+)(?:sempre|mai)\s+(?!<HABIT>\b)\w+(?:iamo|o)\b",
            r"(?:^|\b(?:io|noi)\s+)(?:non\s+)?(?!<HABIT>\b)\w+(?:iamo|o)\s+(?:sempre|mai)\b",
            r"\b(?:in questo (?:repo|progetto|codice)|qui),?\s+(?:(?:sempre|non)\s+)?"
            r"(?!<HABIT>\b)\w+iamo\b",
            r"\b(?:preferisco|preferiamo|preferirei|preferiremmo)\b(?!\s+(?:non (?:dire|"
            r"rispondere)|<THIS_ONE>)\b)",
            r"^(?:noi\s+)?(?:usiamo|utilizziamo|scriviamo|eseguiamo|rilasciamo|formattiamo|"
            r"testiamo|lavoriamo con)\s+(?!questo|questa|questi|queste|quello|quella|quelli|"
            r"lo\b|la\b|li\b|le\b|il\b)\w",
            r"\b(?:la nostra|la) convenzione\b",
            r"\bper convenzione\b",
            r"^(?!questo\b|quello\b|ciò\b|lui\b|lei\b|c'è\b|non\b)\w+(?:\s+[\w'-]+){0,3}\s+"
            r"(?:(?:non|mai)\s+(?:deve|devono)\b|(?:deve|devono)\s+(?:sempre|mai)\b)",
        ],
        "decision": [
            r"\b(?:abbiamo|ho|ha|hanno)\s+(?:deciso|scelto|concordato|optato|stabilito)\b",
            r"\bandiamo con\b",
            r"\brestiamo (?:su|con)\b",
            r"^decisione\s*:",
            r"\bmigriamo\s+(?:\S+\s+){0,4}?(?:a|su|verso)\b",
        ],
        "excluded": [
            r"\bnon\s+(?:\w+\s+)?sempre\b",
            r"\bnon\s+(?:(?:abbiamo|ho|ha|hanno)\s+)?(?:ancora\s+)?(?:deciso|scelto|concordato|"
            r"optato|stabilito)\b",
            r"^(?:chi|che|cosa|che cosa|dove|quando|perché|perche|come|quale|quali|quanto|"
            r"quanti|puoi|potresti|possiamo|dovremmo|sai)\b",
            r"\b(?:forse|magari|probabilmente|credo che|penso che|mi sa|non sono sicuro|"
            r"non sono sicura|non so se|potremmo|dovremmo|sarebbe|sarebbero|e se)\b",
            r"(?:^|,\s*)se\b",
            r"\b(?:per ora|per adesso|per il momento|questa volta|stavolta|(?<!da )oggi|domani|"
            r"stasera|(?<!da )adesso(?! in poi)|(?<!d')(?<!da )ora(?! in poi| in avanti)|"
            r"temporaneamente|solo questa volta|in questa sessione|per questo task|"
            r"per questo commit)\b",
        ],
    },
    words.ITALIAN,
)

LANGUAGES = (FRENCH, GERMAN, SPANISH, PORTUGUESE, ITALIAN)
