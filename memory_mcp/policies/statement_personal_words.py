"""What users say about themselves that lasts, in French, German, Spanish, Portuguese and
Italian: the shapes of policies/statement_personal.py (English) in each language's words.
No I/O; policies/statement_languages.py reads them for the languages a sentence is likely in.

Narrower than English on purpose: a closed list of diets, conditions, trades, languages and
family members, a name written with a capital after "I live in / work at / is called", and
tastes (avoid, hate, love, don't eat) before anything but a pointer to the chat ("ça", "das",
"eso", "isso", "questo"). A wrong memory costs more than a missing one.
"""

import re

from memory_mcp.policies.statement_personal import kind_of
from memory_mcp.policies.statement_work import names_work

_UPPER = r"(?-i:[A-ZÀ-ÖØ-Þ])"


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p.replace("<UPPER>", _UPPER), re.IGNORECASE) for p in patterns]


# A pointer to the chat after the verb ("J'adore ça", "Odio esto", "Ich liebe das"): every
# language's are left out by every language's patterns, which run on any sentence.
_NOT = (
    r"(?!(?:ça|cela|ceci|ce|cet|cette|ces|quand|comment|ton|ta|tes|votre|vos|te|vous|das|"
    r"dies|diese|dieses|diesen|es|so|dich|euch|ihn|sie|wenn|wie|eso|esto|esta|este|estos|"
    r"estas|esos|esas|cuando|cómo|tu|tus|lo|isso|isto|esse|essa|aquilo|como|você|questo|"
    r"questa|questi|queste|quello|quella|ciò|come|ti|vi)\b)"
)


# What a taste names when it reacts to what is on the screen, in any of the five languages:
# a demonstrative anywhere ("Je n'aime pas le nom de cette fonction"), "here" ("Ich hasse den
# Build-Prozess hier"), something new or old ("J'adore la nouvelle interface", "Ich vermeide
# den alten Code"), or the things a session shows ("Amo il risultato", "Evito el archivo
# generado", "Ich vermeide die Datei").
_SHOWN = re.compile(
    r"\b(?:ce|cet|cette|ces|ceci|cela|ça|ici|dies|diese|dieser|dieses|diesen|diesem|hier|"
    r"este|esta|estos|estas|esto|ese|esa|esos|esas|eso|aquí|aqui|isto|essa|isso|desse|"
    r"dessa|deste|desta|nesse|nessa|neste|nesta|questo|questa|questi|queste|quello|quella|"
    r"nouvel|nouvelle|nouveau|nouveaux|ancien|ancienne|neue|neuen|neuer|neues|alte|alten|"
    r"alter|altes|nuevo|nueva|nuevos|nuevas|novo|nova|novos|novas|nuovo|nuova|nuovi|nuove|"
    r"résultat|resultado|risultato|ergebnis|fichier|archivo|arquivo|datei|interface|interfaz|"
    r"interfaccia|oberfläche|versión|versão|versione|version|design|diseño|layout|build\S*|"
    r"código|codice|code|module|módulo|modulo|modul|fonction|función|função|funzione|"
    r"funktion)\b",
    re.IGNORECASE,
)


def _any(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"


FRENCH_LANGS = _any(
    "français anglais allemand espagnol italien portugais japonais chinois russe arabe néerlandais"
)
GERMAN_LANGS = _any(
    "Deutsch Englisch Französisch Spanisch Italienisch Portugiesisch Japanisch Chinesisch "
    "Russisch Arabisch Türkisch Polnisch"
)
SPANISH_LANGS = _any(
    "inglés alemán francés italiano portugués japonés chino español catalán árabe ruso"
)
PORTUGUESE_LANGS = _any(
    "inglês alemão francês italiano espanhol português japonês chinês russo árabe"
)
ITALIAN_LANGS = _any(
    "inglese tedesco francese spagnolo portoghese italiano giapponese cinese russo arabo"
)

_NOT_A_PLACE = _any(
    "Bedarf Angst Ruhe Geld Frieden Eile Sorge Zukunft Gedanken Wirklichkeit Stille Hektik "
    "Vollzeit Teilzeit Schichten"
)
GERMAN_SUBJECTS = (
    _any(
        "Informatik Medizin Jura Physik Mathematik BWL VWL Chemie Biologie Maschinenbau "
        "Psychologie Germanistik Geschichte Philosophie Architektur Elektrotechnik Musik Kunst "
        "Lehramt Pharmazie Anglistik Soziologie Pädagogik"
    )[:-1]
    + r"|\w+(?:wissenschaften|wissenschaft|technik|informatik|ologie|istik))"
)

# name -> (facts, tastes); the names are statement_words.Language.name.
PERSONAL: dict[str, tuple[list[re.Pattern[str]], list[re.Pattern[str]]]] = {
    "fr": (
        _compile(
            [
                r"^je suis\s+(?:végétarien(?:ne)?|végane?|végétalien(?:ne)?|diabétique|"
                r"c[œo]eliaque|enceinte|allergique (?:à|aux?)\s+" + _NOT + r"\w|"
                r"intolérante? (?:au|à la|aux)\s+\w)",
                r"^je suis\s+(?:mariée?|pacsée?|divorcée?|veuf|veuve)\s*(?:$|[.,;!])",
                r"^je suis\s+(?:une?\s+)?(?:ingénieure?|développeur|développeuse|professeure?|"
                r"enseignante?|étudiante?|infirmière?|infirmier|médecin|avocate?|chercheuse|"
                r"chercheur|graphiste|comptable|architecte|retraitée?)\b",
                r"^(?:j'habite|je vis|je travaille|j'étudie)\s+(?:à|en|au|aux|chez|pour)\s+<UPPER>",
                r"^j'apprends\s+(?:le |l')?" + FRENCH_LANGS,
                r"^je parle\s+(?:couramment\s+)?(?:le\s+)?" + FRENCH_LANGS,
                r"^(?:mon|ma)\s+(?:fils|fille|chien|chienne|chat|chatte|mari|femme|copain|copine|"
                r"compagnon|compagne|frère|sœur|père|mère)\s+s'appelle\s+<UPPER>",
                r"^j'ai\s+\d{1,3}\s+ans\b",
                r"^j'ai\s+(?:un|une|deux|trois|quatre|\d)\s+(?:enfants?|fils|filles?|chiens?|chats?)\b",
                r"^j'ai\s+une\s+(?:\w+\s+){0,3}?(?:allergie|intolérance)\b",
                r"^je (?:fais partie|suis membre) (?:de l'|de la |du |des |d'une? |d')"
                r"(?:[\w-]+\s+){0,2}?(?:équipe|groupe|club|chorale|association|comité|syndicat|"
                r"orchestre|bureau|conseil)\b",
                r"^(?:j'ai déménagé|je me suis installée?|je suis partie? vivre)\s+(?:à|en|au|aux)"
                r"\s+<UPPER>",
            ]
        ),
        _compile(
            [
                r"^(?:je\s+|j')(?:\w+ment\s+)?(?:évite|déteste|adore|n'aime pas|ne supporte pas|"
                r"ne mange (?:pas|jamais)|ne bois (?:pas|jamais))\s+" + _NOT + r"\w",
                r"^(?:mon|ma)\s+\w+\s+préférée?\s+(?:est|c'est)\s+\w",
            ]
        ),
    ),
    "de": (
        _compile(
            [
                r"^ich bin\s+(?:\w+\s+)?(?<!nicht )(?<!kein )(?:Vegetarier(?:in)?|Veganer(?:in)?|"
                r"vegan|Diabetiker(?:in)?|schwanger|laktoseintolerant|glutenintolerant|"
                r"allergisch gegen\s+" + _NOT + r"\w)",
                r"^ich bin\s+(?:(?:ein|eine)\s+(?:\w+\s+)?)?(?:Ingenieur(?:in)?|"
                r"(?:Software)?[Ee]ntwickler(?:in)?|Lehrer(?:in)?|Student(?:in)?|"
                r"Krankenpfleger(?:in)?|Arzt|Ärztin|Anwalt|Anwältin|Designer(?:in)?|Rentner(?:in)?|"
                r"Forscher(?:in)?)\b",
                # German writes every noun with a capital: a place or employer, not a manner
                # ("Ich arbeite bei Bedarf auch am Wochenende", "Ich lebe in Angst vor ...")
                r"^ich (?:wohne|lebe|arbeite|studiere)\s+(?:in|bei|für)\s+(?!"
                + _NOT_A_PLACE
                + r"\b)<UPPER>\w*(?:[\s-]+<UPPER>\w*)*\s*(?:$|[.,;!]|(?:und|als|seit|im|am|in)\b)",
                r"^ich bin\s+(?:verheiratet|geschieden|verwitwet)\s*(?:$|[.,;!])",
                r"^ich studiere\s+(?:" + GERMAN_SUBJECTS + r")\b",
                r"^ich lerne\s+" + GERMAN_LANGS,
                r"^ich spreche\s+(?:fließend\s+)?" + GERMAN_LANGS,
                r"^(?:mein|meine)\s+(?:Sohn|Tochter|Hund|Hündin|Katze|Kater|Mann|Frau|Freund|"
                r"Freundin|Partner(?:in)?|Bruder|Schwester|Vater|Mutter)\s+heißt\s+<UPPER>",
                r"^ich bin\s+\d{1,3}\s+Jahre alt\b",
                r"^ich habe\s+(?:ein|eine|einen|zwei|drei|vier|\d)\s+(?:Kinder|Kind|Sohn|Söhne|"
                r"Tochter|Töchter|Hund|Hunde|Katze|Katzen)\b",
                r"^ich habe\s+(?:eine\s+)?(?:\w+\s+){0,3}?(?:\w*allergie|Laktoseintoleranz|"
                r"Zöliakie|Diabetes)\b",
                r"^ich bin\s+(?:[\w-]+\s+){0,4}?nach\s+<UPPER>[\w-]*\s+(?:[\w-]+\s+){0,3}?"
                r"(?:um)?gezogen\b",
            ]
        ),
        _compile(
            [
                r"^ich\s+(?:(?:wirklich|sehr|absolut|strikt|grundsätzlich|immer)\s+)?(?:vermeide|"
                r"hasse|verzichte auf|vertrage kein(?:e|en)?|mag kein(?:e|en)?|esse kein(?:e|en)?|"
                r"trinke kein(?:e|en)?|esse nie|trinke nie)\s+" + _NOT + r"\w",
                r"^ich\s+(?:(?:wirklich|sehr|absolut)\s+)?liebe\s+"
                + _NOT
                + r"(?!(?:die|der|den|dem)\b)\w",
                r"^(?:mein|meine)\s+Lieblings\w+\s+(?:ist|sind)\s+\w",
            ]
        ),
    ),
    "es": (
        _compile(
            [
                r"^(?:yo\s+)?soy\s+(?:vegetarian[oa]|vegan[oa]|diabétic[oa]|celíac[oa]|"
                r"alérgic[oa] (?:a|al)\s+" + _NOT + r"\w|intolerante a(?:l)?\s+\w)",
                r"^(?:yo\s+)?soy\s+(?:una?\s+)?(?:ingenier[oa]|desarrollador(?:a)?|"
                r"programador(?:a)?|profesor(?:a)?|maestr[oa]|estudiante|enfermer[oa]|médic[oa]|"
                r"abogad[oa]|diseñador(?:a)?|jubilad[oa]|investigador(?:a)?)\b",
                r"^(?:yo\s+)?(?:vivo|trabajo|estudio)\s+(?:en|para)\s+<UPPER>",
                r"^(?:yo\s+)?(?:estoy|soy)\s+(?:casad[oa]|divorciad[oa]|viud[oa])\s*(?:$|[.,;!])",
                r"^(?:yo\s+)?estoy aprendiendo\s+" + SPANISH_LANGS,
                r"^(?:yo\s+)?hablo\s+(?:con fluidez\s+)?" + SPANISH_LANGS,
                r"^mi\s+(?:hij[oa]|perr[oa]|gat[oa]|marido|espos[oa]|novi[oa]|pareja|herman[oa]|"
                r"padre|madre)\s+se llama\s+<UPPER>",
                r"^tengo\s+\d{1,3}\s+años\b",
                r"^tengo\s+(?:un|una|dos|tres|cuatro|\d)\s+(?:hij[oa]s?|perr[oa]s?|gat[oa]s?)\b",
                r"^tengo\s+(?:una\s+)?(?:\w+\s+){0,3}?(?:alergia|intolerancia|diabetes|celiaquía)\b",
                r"^(?:yo\s+)?me (?:mudé|trasladé|fui a vivir)\s+(?:a|al)\s+<UPPER>",
            ]
        ),
        _compile(
            [
                r"^(?:yo\s+)?(?:\w+mente\s+)?(?:evito|odio|detesto|adoro|no como|no bebo|no tomo|"
                r"no soporto|no me gusta(?:n)?|me encanta(?:n)?)\s+" + _NOT + r"\w",
                r"^mi\s+\w+\s+favorit[oa]\s+es\s+\w",
            ]
        ),
    ),
    "pt": (
        _compile(
            [
                r"^(?:eu\s+)?sou\s+(?:vegetarian[oa]|vegan[oa]|diabétic[oa]|celíac[oa]|"
                r"alérgic[oa] (?:a|ao|à)\s+" + _NOT + r"\w|intolerante (?:a|à|ao)\s+\w)",
                r"^(?:eu\s+)?sou\s+(?:uma?\s+)?(?:engenheir[oa]|desenvolvedor(?:a)?|"
                r"programador(?:a)?|professor(?:a)?|estudante|enfermeir[oa]|médic[oa]|"
                r"advogad[oa]|designer|aposentad[oa]|pesquisador(?:a)?)\b",
                r"^(?:eu\s+)?(?:moro|vivo|trabalho|estudo)\s+(?:em|no|na|para)\s+<UPPER>",
                r"^(?:eu\s+)?(?:sou|estou)\s+(?:casad[oa]|divorciad[oa]|viúv[oa])\s*(?:$|[.,;!])",
                r"^(?:eu\s+)?estou aprendendo\s+" + PORTUGUESE_LANGS,
                r"^(?:eu\s+)?falo\s+(?:fluentemente\s+)?" + PORTUGUESE_LANGS,
                r"^(?:o meu|a minha|meu|minha)\s+(?:filh[oa]|cachorr[oa]|cão|gat[oa]|marido|esposa|"
                r"namorad[oa]|irmã|irmão|pai|mãe)\s+(?:se chama|chama-se)\s+<UPPER>",
                r"^tenho\s+\d{1,3}\s+anos\b",
                r"^tenho\s+(?:um|uma|dois|duas|três|\d)\s+(?:filh[oa]s?|cachorr[oa]s?|gat[oa]s?|cães)\b",
                r"^tenho\s+(?:uma\s+)?(?:\w+\s+){0,3}?(?:alergia|intolerância|diabetes)\b",
                r"^(?:eu\s+)?(?:me mudei|mudei-me|fui morar)\s+(?:para|pra|pro|em)\s+<UPPER>",
            ]
        ),
        _compile(
            [
                r"^(?:eu\s+)?(?:\w+mente\s+)?(?:evito|odeio|detesto|adoro|não como|não bebo|"
                r"não suporto|não gosto de|gosto muito de|amo)\s+" + _NOT + r"\w",
                r"^(?:o meu|a minha|meu|minha)\s+\w+\s+favorit[oa]\s+é\s+\w",
            ]
        ),
    ),
    "it": (
        _compile(
            [
                r"^(?:io\s+)?sono\s+(?:vegetarian[oa]|vegan[oa]|diabetic[oa]|celiac[oa]|incinta|"
                r"allergic[oa] (?:a|al|alla|ai|alle)\s+" + _NOT + r"\w|"
                r"intollerante (?:a|al|alla|ai|alle)\s+\w)",
                r"^(?:io\s+)?sono\s+(?:sposat[oa]|divorziat[oa]|vedov[oa])\s*(?:$|[.,;!])",
                r"^(?:io\s+)?sono\s+(?:uno\s+|un\s+|una\s+|un')?(?:ingegnere|sviluppat(?:ore|rice)|"
                r"programmat(?:ore|rice)|insegnante|professor(?:e|essa)|student(?:e|essa)|"
                r"infermier[ea]|medico|avvocat[oa]|designer|ricercat(?:ore|rice)|in pensione)\b",
                r"^(?:io\s+)?(?:vivo|abito|lavoro|studio)\s+(?:a|in|per|da|presso)\s+<UPPER>",
                r"^(?:io\s+)?sto imparando\s+(?:l'|il\s+)?" + ITALIAN_LANGS,
                r"^(?:io\s+)?parlo\s+(?:fluentemente\s+)?(?:l'|il\s+)?" + ITALIAN_LANGS,
                r"^(?:il mio|la mia|mio|mia)\s+(?:figli[oa]|can[ea]|gatt[oa]|marito|moglie|"
                r"ragazz[oa]|fratello|sorella|padre|madre)\s+si chiama\s+<UPPER>",
                r"^ho\s+\d{1,3}\s+anni\b",
                r"^ho\s+(?:un|una|due|tre|quattro|\d)\s+(?:figli[oa]?|figlie|can[ie]|gatt[oiae])\b",
                r"^ho\s+(?:un'|una\s+)?(?:\w+\s+){0,3}?(?:allergia|intolleranza|diabete|celiachia)\b",
                r"^(?:io\s+)?mi sono trasferit[oa]\s+(?:a|in)\s+<UPPER>",
            ]
        ),
        _compile(
            [
                r"^(?:io\s+)?(?:\w+mente\s+)?(?:evito|odio|detesto|adoro|non mangio|non bevo|"
                r"non sopporto|non mi piace|non mi piacciono|amo)\s+" + _NOT + r"\w",
                r"^(?:il mio|la mia|mio|mia)\s+\w+\s+preferit[oa]\s+è\s+\w",
            ]
        ),
    ),
}


# A habit with its frequency ("Je fais du yoga tous les jours", "Ich gehe jeden Morgen
# joggen"), not a routine of the work ("Je fais une sauvegarde tous les soirs"): the
# sentence names nothing of the work (statement_work.py).
_FR_DAYS = _any("lundi mardi mercredi jeudi vendredi samedi dimanche")
_DE_DAYS = _any("Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag")
_ES_DAYS = _any("lunes martes miércoles jueves viernes sábados domingos")
_IT_DAYS = _any("lunedì martedì mercoledì giovedì venerdì sabato domenica")
HABITS = {
    language: re.compile(pattern, re.IGNORECASE)
    for language, pattern in {
        "fr": r"^(?:je\s+(?:fais|vais|cours|nage|marche|médite|joue|pratique|prends)|j'(?:fais|"
        r"vais))\b.*\b(?:tous les (?:jours|matins|soirs|week-ends|" + _FR_DAYS + r"s)|"
        r"toutes les semaines|chaque (?:jour|matin|soir|semaine|week-end|" + _FR_DAYS + r")|"
        r"(?:une|deux|trois|quatre|\d) fois par (?:jour|semaine|mois))\b",
        "de": r"^ich\s+(?:mache|gehe|laufe|jogge|schwimme|meditiere|spiele|fahre|trainiere|"
        r"koche|lese)\b.*\b(?:jeden (?:Tag|Morgen|Abend|" + _DE_DAYS + r")|jede Woche|"
        r"jedes Wochenende|täglich|wöchentlich|(?:ein|zwei|drei|vier|\d)\s?mal (?:am Tag|"
        r"pro Woche|die Woche|in der Woche|im Monat))\b",
        "es": r"^(?:yo\s+)?(?:hago|voy|corro|nado|medito|juego|practico|camino|cocino|leo|"
        r"entreno)\b.*\b(?:todos los (?:días|fines de semana|" + _ES_DAYS + r")|todas las "
        r"(?:mañanas|noches|tardes|semanas)|cada (?:día|mañana|noche|tarde|semana)|"
        r"(?:una|dos|tres|cuatro|\d) veces? (?:al día|a la semana|por semana|al mes))\b",
        "pt": r"^(?:eu\s+)?(?:faço|vou|corro|nado|medito|jogo|pratico|caminho|cozinho|leio|"
        r"treino)\b.*\b(?:todos os dias|todo dia|todas as (?:manhãs|noites|tardes|semanas)|"
        r"toda (?:manhã|noite|tarde|semana)|(?:uma|duas|três|quatro|\d) vez(?:es)? por "
        r"(?:dia|semana|mês)|aos (?:sábados|domingos|fins de semana))\b",
        "it": r"^(?:io\s+)?(?:faccio|vado|corro|nuoto|medito|gioco|pratico|cammino|cucino|"
        r"leggo|mi alleno)\b.*\b(?:ogni (?:giorno|mattina|sera|settimana|" + _IT_DAYS + r")|"
        r"tutti i giorni|tutte le (?:mattine|sere|settimane)|(?:una|due|tre|quattro|\d) volte "
        r"(?:al giorno|a settimana|alla settimana|al mese))\b",
    }.items()
}


def personal(language: str, sentence: str) -> str | None:
    """ "fact" or "preference" for a lasting statement about the user in `language`."""
    facts, tastes = PERSONAL.get(language, ([], []))
    found = kind_of(sentence, facts, tastes, _SHOWN)
    habit = HABITS.get(language)
    if found is None and habit is not None and habit.search(sentence):
        found = None if names_work(sentence) else "preference"
    return found
