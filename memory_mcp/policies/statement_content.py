"""Whether a durable statement says something on its own, or only points back at the chat.
No I/O.

"We decided to go with that.", "Never do that again.", "I prefer it this way.", "On fait
toujours ça.", "Wir haben uns dafür entschieden." have the shape of a decision or a rule, but
what they decide lives in the messages before them: stored alone, such a memory tells the next
session nothing and takes a line of every briefing. A statement counts when one of its words
is neither the frame of a statement (pronouns, always / never, prefer / use / decide, the
auxiliaries) nor a pointer (this, that, it, the same way, ça, das, eso, isso, questo): "We use
Go.", "I prefer tabs.", "Don't use pip." count; "We use them." does not. A word with a digit,
a dot, a slash or an underscore, or capitalised inside the sentence (a name: "We use Go."),
always counts. The verbs an instruction puts before a pointer ("Never change that.", "Always
update it.") are frame too: what they change is in the chat. One list serves every language: a
sentence all of whose words are frame or pointer words in some language says nothing in any of
them.
"""

import re

_TOKEN = re.compile(r"[\w'’./~-]+")

_ENGLISH = """
i we you me us my our your let's lets let always never don't dont do does did doing done not
no please just also too again from now on then still only ever prefer prefers preferred use
uses using used decided decide decision agreed agree agreement go going went stick sticking
keep keeping want wanted like likes liked love make made choose chose chosen pick picked
settle settled the a an that this it its these those them they one ones other others same
way ways thing things stuff something anything everything nothing so thus as here there
instead rather with to of for in at by and or but is are be was were will shall should must
would have has had convention rule ok okay yes yeah right fine actually well all every
change check touch edit modify remove delete push commit merge run test fix update rename move
call handle add skip ignore try leave put
"""
_FRENCH = """
je j nous on tu vous me m te se s moi toujours jamais ne n pas plus désormais dorénavant
maintenant à partir de d ça cela ceci ce c cet cette ces le la les l un une des du comme
ainsi faire fais fait faites faisons font préfère préférons préférez préférer utilise
utilisons utilisez utiliser décidé décidons avons a ai avez est sont être aussi même chose
façon manière là y en et ou avec pour sur dans par choisi convenu garde gardons restons
rester reste
"""
_GERMAN = """
ich wir du sie uns mich mir immer nie niemals nicht kein keine ab jetzt das dies dieses diese
dieser es so damit dafür dabei dazu davon daran der die den dem des ein eine einen einem
haben habe hast hat sind ist bin sein machen mache machst macht tun verwenden verwende
verwendet benutzen benutze benutzt nutzen nutze bevorzugen bevorzuge entschieden entscheiden
geeinigt einigen bleiben bleibe bei mit für auf in an und oder auch weiter genauso gleich
sache art weise lieber gern gerne mögen mag
"""
_SPANISH = """
yo nosotros nos me te se siempre nunca no jamás a partir de ahora en adelante eso esto ese
esa este esta estos esas esos estas lo la los las el un una así hacer hacerlo hacemos hago
haz hagas hagamos usar usamos uso usa usemos utilizamos utiliza preferimos prefiero preferir
decidido decidimos hemos he acordado acordamos quedamos quedarnos con para por y o también
mismo misma forma manera cosa
"""
_PORTUGUESE = """
eu nós nos me te se sempre nunca não a partir de agora em diante isso isto esse essa este
esta aquilo o a os as um uma assim fazer fazemos faço faça usar usamos uso use usa
utilizamos preferimos prefiro preferir decidimos decidido temos tenho combinamos ficamos com
para por e ou também mesmo mesma forma maneira jeito coisa
"""
_ITALIAN = """
io noi ci mi ti si sempre mai non da ora adesso in poi questo questa quello quella questi
quelle ciò lo la il i gli le l un uno una così fare facciamo faccio fai farlo usare usiamo
uso usa utilizziamo preferiamo preferisco preferire deciso decidiamo abbiamo ho concordato
restiamo con per e o anche stesso stessa modo cosa
"""
_EMPTY = frozenset(" ".join((_ENGLISH, _FRENCH, _GERMAN, _SPANISH, _PORTUGUESE, _ITALIAN)).split())


def says_something(statement: str) -> bool:
    """Whether one word of `statement` is more than its frame or a pointer (module doc)."""
    for position, token in enumerate(_TOKEN.findall(statement)):
        word = token.strip("'’.-~")
        if not word:
            continue
        lowered = word.lower()
        if any(not c.isalpha() and c not in "'’-" for c in word):
            return True  # uv.lock, 3.12, src/app, snake_case
        if position > 0 and word[0].isupper():
            # A name ("We use Go."), unless German, which capitalises every noun ("Sache").
            if lowered not in _EMPTY or not _german(statement):
                return True
            continue
        parts = [p for p in re.split(r"['’-]", lowered) if p]
        if lowered not in _EMPTY and not all(p in _EMPTY for p in parts):
            return True
    return False


def _german(statement: str) -> bool:
    """Whether the sentence reads as German, where a capital inside it marks any noun."""
    words = set(re.findall(r"\w+", statement.lower()))
    return len(words & {"wir", "ich", "immer", "nie", "das", "haben", "uns", "nicht"}) >= 2
