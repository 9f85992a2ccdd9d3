"""The numbers a chapter's prose states agree with the code that runs.

Each code cell tagged ``prose-check`` calls ``claim('<text>', value)``;
running the notebook (nbmake) checks ``value``, and this test checks that
the markdown cell just above still contains ``<text>``. Every
``{cite}`` key in book/ is in book/references.bib, which must parse
(pybtex).
"""
import ast
import json
import re
from pathlib import Path

import pytest

from cnnbook.chapters import tags
from cnnbook.prose import claim

BOOK = Path(__file__).resolve().parent.parent / 'book'
CHAPTERS = sorted(p.name for p in BOOK.glob('*.ipynb'))


def _claims(source):
    """The literal first arguments of the claim(...) calls in ``source``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(
                node.func, 'id', getattr(node.func, 'attr', None)) == 'claim'):
            first = node.args[0]
            assert isinstance(first, ast.Constant), (
                'claim() takes the number as a string literal, as the '
                'sentence writes it')
            out.append(first.value)
    return out


def _check(chapter, cells):
    """Fail if a prose-check's number is not in the markdown above it."""
    for i, cell in enumerate(cells):
        if 'prose-check' not in tags(cell):
            continue
        above = [c for c in cells[:i] if c['cell_type'] == 'markdown']
        assert above, f'{chapter}: a prose-check cell with no text above'
        text = ''.join(above[-1]['source'])
        texts = _claims(''.join(cell['source']))
        assert texts, f'{chapter} cell {i}: prose-check calls no claim()'
        for t in texts:
            assert t in text, (
                f'{chapter} cell {i}: the check says {t!r}, which the '
                f'sentence above no longer contains')


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_checked_numbers_appear_in_the_sentence_above(chapter):
    _check(chapter, json.loads((BOOK / chapter).read_text())['cells'])


def test_claim_fails_on_a_wrong_number():
    claim('189,696', 3 * 96 * 208 + 3 * 208 * 208)
    claim('24%', 0.2431, '{:.0%}')
    with pytest.raises(AssertionError, match="says '179,712'.*'189,696'"):
        claim('179,712', 189_696)


def test_an_edited_sentence_is_caught():
    def md(text):
        return {'cell_type': 'markdown', 'metadata': {}, 'source': [text]}
    check = {'cell_type': 'code', 'metadata': {'tags': ['prose-check']},
             'source': ["claim('0.84', acc, '{:.2f}')"]}
    _check('ok', [md('NiN reaches 0.84.'), check])
    with pytest.raises(AssertionError, match="says '0.84'"):
        _check('edited', [md('NiN reaches 0.85.'), check])
    with pytest.raises(AssertionError, match='string literal'):
        _claims('claim(x, 1)')


# A citation role, e.g. {cite}`a` or {cite:t}`a,b`, in the book's text.
CITE = re.compile(r'\{cite(?::\w+)?\}`([^`]*)`')


def bib_keys(text):
    """The keys of a BibTeX file, read by pybtex (sphinxcontrib-bibtex's
    own parser); a syntax error or a repeated key fails with pybtex's
    message, which names the line."""
    from pybtex.database import parse_string
    try:
        return list(parse_string(text, 'bibtex').entries)
    except Exception as e:   # pybtex's errors share no public base class
        raise AssertionError(f'book/references.bib does not parse: {e}')


def cited_keys():
    """{key: [files]} for every {cite} role in book/ (md and notebooks)."""
    found = {}
    for path in sorted(BOOK.glob('*.md')) + sorted(BOOK.glob('*.ipynb')):
        if path.suffix == '.md':
            texts = [path.read_text()]
        else:
            texts = [''.join(c['source'])
                     for c in json.loads(path.read_text())['cells']
                     if c['cell_type'] == 'markdown']
        for text in texts:
            for group in CITE.findall(text):
                for key in group.split(','):
                    found.setdefault(key.strip(), []).append(path.name)
    return found


def test_every_cited_key_is_in_the_bibliography():
    keys = bib_keys((BOOK / 'references.bib').read_text())
    cited = cited_keys()
    assert 'lin2013network' in cited        # the scan finds the roles
    missing = {k: v for k, v in cited.items() if k not in keys}
    assert not missing, (
        f'cited but not in book/references.bib: {missing}; add an entry '
        f'or correct the key')


def test_the_bibliography_check_catches_a_broken_file():
    good = '@misc{a,\n  title = {A {B}},\n}\n@misc{b,\n  title = {C}\n}\n'
    assert bib_keys(good) == ['a', 'b']
    with pytest.raises(AssertionError, match="line 4: '}' expected"):
        bib_keys(good.replace('{B}}', '{B}'))
    with pytest.raises(AssertionError, match='undefined string in line 5'):
        bib_keys(good.replace('{C}', 'C}'))
    with pytest.raises(AssertionError, match='repeated bibliography entry'):
        bib_keys(good + '@misc{a,\n  title = {D}\n}\n')
    assert CITE.findall('see {cite:t}`x, y` and {cite}`z`') == ['x, y', 'z']
