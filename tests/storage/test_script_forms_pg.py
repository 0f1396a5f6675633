"""PostgreSQL's keyword functions fold and stem as policies.keyword_text does (schema step
19): the column's words and a search's words meet only if both sides agree on every text."""

import random
import re
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.policies import keyword_text
from memory_mcp.storage import open_storage
from tests import pg

SIGN = re.compile(r"-(?=[0-9])")  # a hyphen before a digit: a space (step 11)

PIECES = [
    "قهوة", "القهوة", "بالقهوة", "وال", "و", "ال", "لل", "ها", "ات", "ين", "يه", "ي", "ة",
    "أ", "إ", "آ", "ى", "ـ", "َ", "ّ", "ٰ", "ی", "ک", "پ", "شَ", "والد", "ولد", "ש", "ָׁ",
    "ֹ", "־", "ΆΈ", "ώ", "ᾠ", "ς", "ß", "ı", "x", "5", "-", " ", " ", "،", "٥", "۵", "ё",
    "Ё", "é", "Ｘ", "ệ", "Ệ", "ǖ", "ạ", "Hà",
]  # fmt: skip


@pg.needs_postgres
def test_the_column_folds_and_stems_every_text_as_python_does(tmp_path: Path) -> None:
    store = open_storage(Settings(db=pg.url(), pg_schema=pg.fresh_schema(tmp_path)))
    rng = random.Random(19)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))) for _ in range(400)]
    try:
        for text in texts:
            literal = text.replace("'", "''")
            [(folded, stemmed)] = pg.raw_rows(
                store,
                f"select memory_folds('{literal}'), memory_stems(memory_folds('{literal}'))",
            )
            expected = SIGN.sub(" ", keyword_text.folded(text))  # step 11's
            assert folded == expected, text
            assert stemmed == keyword_text.stemmed(expected), text
    finally:
        store.close()
