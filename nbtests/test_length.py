"""The chapters stay readable: a word budget for the prose before the
exercises (issue 27).

Words are runs of letters in the markdown cells above the ``## Exercises``
heading, collapsed boxes included, the measure the review used. The
engineering of the laptop recipe lives on the page "Training on a
laptop" (book/training-on-a-laptop.md), not in the chapters.
"""
import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent / 'book'
# d2l's own sections are about 700 to 1,000 words
LIMITS = {'nin.ipynb': 2000, 'googlenet.ipynb': 1600}
EXERCISES = re.compile(r'^## Exercises', re.M)


def words_before_exercises(cells):
    """Runs of letters in the markdown cells above ``## Exercises``."""
    text = []
    for cell in cells:
        if cell['cell_type'] != 'markdown':
            continue
        source = ''.join(cell['source'])
        heading = EXERCISES.search(source)
        text.append(source[:heading.start()] if heading else source)
        if heading:
            return len(re.findall(r'[A-Za-z]+', '\n'.join(text)))
    raise AssertionError('no "## Exercises" heading')


@pytest.mark.parametrize('chapter', sorted(LIMITS))
def test_prose_before_the_exercises_fits_the_budget(chapter):
    cells = json.loads((BOOK / chapter).read_text())['cells']
    words = words_before_exercises(cells)
    assert words <= LIMITS[chapter], (
        f'{chapter}: {words:,} words before its exercises, over the '
        f'{LIMITS[chapter]:,} of its budget; move detail to a page of its '
        f'own (as book/training-on-a-laptop.md) or cut')


def test_the_count_stops_at_the_exercises_and_counts_boxes():
    def md(text):
        return {'cell_type': 'markdown', 'source': [text]}
    cells = [md('# Title\n\nOne 1×1 convolution.'),
             {'cell_type': 'code', 'source': ['not counted = 1']},
             md('```{admonition} Box\n:class: dropdown\n\nTwo words\n```'),
             md('Last words.\n\n## Exercises\n\nNot counted at all.'),
             md('Nor this.')]
    # Title One convolution | admonition Box class dropdown Two words |
    # Last words
    assert words_before_exercises(cells) == 11
    with pytest.raises(AssertionError, match='no "## Exercises"'):
        words_before_exercises(cells[:3])
