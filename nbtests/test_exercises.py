"""The checks and tidying around nbgrader (cnnbook/exercises.py).

nbgrader's own release and grading of the chapters: nbtests/test_course.py.
"""
import re
from pathlib import Path

import nbformat
import pytest

from cnnbook.exercises import (BEGIN, END, HIDDEN, RAISES, REMOVE, STUB,
                               SolutionMarkupError, check_source, is_test,
                               nbgrader_meta, student_release)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))

EXERCISE = '```{exercise}\n:label: ex1\n\nCount the layers.\n```'
START = '```{solution-start} ex1\n:class: dropdown\n```'
END_DIRECTIVE = '```{solution-end}\n```'
CODE = f'x = 1\n{BEGIN}\nanswer = 7\n{END}\nprint(x)'


def meta(grade_id, solution=True, grade=False, locked=False, points=None):
    m = {'grade': grade, 'grade_id': grade_id, 'locked': locked,
         'schema_version': 3, 'solution': solution}
    if points is not None:
        m['points'] = points
    return {'nbgrader': m}


ANSWER = meta('ex1_answer', grade=True, points=1)
TEST = {**meta('ex1_test', solution=False, grade=True, locked=True,
               points=2), 'tags': [REMOVE]}


def nb_of(*cells):
    """A notebook from ('md'|'code', source[, metadata]) tuples."""
    make = {'md': nbformat.v4.new_markdown_cell,
            'code': nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[
        make[kind](source, metadata=dict(rest[0]) if rest else {})
        for kind, source, *rest in cells])


def good():
    return nb_of(('md', '# Title'), ('md', EXERCISE + '\n\n' + START),
                 ('md', 'Because of reasons.', ANSWER),
                 ('code', CODE, meta('ex1_code')),
                 ('md', END_DIRECTIVE),
                 ('code', f'# checks\n{HIDDEN}\nassert answer == 7\n'
                  '### END HIDDEN TESTS', TEST))


def test_a_well_marked_notebook_passes():
    assert check_source(good(), 'demo.ipynb') == ['ex1']


def replace(nb, index, source=None, metadata=None):
    if source is not None:
        nb.cells[index].source = source
    if metadata is not None:
        nb.cells[index].metadata = metadata
    return nb


@pytest.mark.parametrize('change, message', [
    # code region without nbgrader's metadata: nbgrader refuses it
    (lambda nb: replace(nb, 3, metadata={}), 'not an nbgrader solution'),
    # solution prose without metadata: nbgrader would hand it out
    (lambda nb: replace(nb, 2, metadata={}), 'prose inside the solution'),
    # prose sharing a cell with a directive cannot be cleared alone
    (lambda nb: replace(nb, 1, EXERCISE + '\n\n' + START + '\n\nLeak.'),
     'prose after'),
    (lambda nb: replace(nb, 4, 'Leak.\n\n' + END_DIRECTIVE),
     'prose before'),
    (lambda nb: replace(nb, 4, metadata=meta('ex1_end', grade=True,
                                              points=1)),
     'must not be an nbgrader cell'),
    # a test cell that students could edit, or the site would show
    (lambda nb: replace(nb, 5, metadata={
        **meta('ex1_test', solution=False, grade=True, points=2),
        'tags': [REMOVE]}), 'must be locked'),
    (lambda nb: replace(nb, 5, metadata={
        **meta('ex1_test', solution=False, grade=True, locked=True,
               points=2)}), 'must be locked and tagged'),
    # a visible test would hand students the answers it checks
    (lambda nb: replace(nb, 5, 'assert answer == 7'), 'without a ### BEGIN '
     'HIDDEN'),
    # metadata nbgrader itself rejects
    (lambda nb: replace(nb, 2, metadata=meta('ex1_answer')),
     'nbgrader rejects'),
    (lambda nb: replace(nb, 2, metadata=meta(
        'ex1_code', grade=True, points=1)), 'Duplicate grade id'),
    (lambda nb: replace(nb, 3, 'answer = 7'), 'without a ### BEGIN'),
    (lambda nb: nb_of(*[('md', c.source, c.metadata)
                        for c in nb.cells[:3]]), 'without solution-end'),
    (lambda nb: replace(nb, 1, EXERCISE), 'solution-end without'),
])
def test_a_leaking_solution_is_refused(change, message):
    with pytest.raises(SolutionMarkupError, match=message):
        check_source(change(good()), 'demo.ipynb')


def test_a_solution_region_outside_a_solution_is_refused():
    nb = nb_of(('code', CODE))
    with pytest.raises(SolutionMarkupError, match='demo.ipynb, cell 0'):
        check_source(nb, 'demo.ipynb')


def release():
    """What nbgrader's generate_assignment makes of good()."""
    nb = good()
    nb.cells[2].source = 'YOUR ANSWER HERE'
    nb.cells[3].source = f'x = 1\n# YOUR CODE HERE\n{STUB}\nprint(x)'
    nb.cells[5].source = '# checks'
    return nb


def test_release_loses_directives_and_tags_stubs():
    nb = release()
    out = student_release(nb)
    text = '\n'.join(c.source for c in out.cells)
    assert 'solution-start' not in text and 'solution-end' not in text
    assert 'Count the layers.' in text and ':label: ex1' in text
    # the cell that held only {solution-end} is gone
    assert [c.cell_type for c in out.cells] == [
        'markdown', 'markdown', 'markdown', 'code', 'code']
    stub = out.cells[3]
    assert RAISES in stub.metadata['tags']
    assert nbgrader_meta(stub)['grade_id'] == 'ex1_code'
    assert RAISES not in out.cells[4].metadata.get('tags', [])
    # the input is left as it was
    assert 'solution-end' in nb.cells[4].source


def labels_of(nb):
    return re.findall(r':label: (\w+)', '\n'.join(
        c.source for c in nb.cells if c.cell_type == 'markdown'))


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_an_nbgrader_source_notebook(path):
    """Every solution carries nbgrader's metadata; tests are hidden."""
    nb = nbformat.read(path, as_version=4)
    labels = check_source(nb, path.name)
    assert labels and labels == labels_of(nb)
    ids = [nbgrader_meta(c)['grade_id'] for c in nb.cells
           if nbgrader_meta(c)]
    # grade ids name their exercise, so they stay put when cells move
    assert all(re.fullmatch(r'({})_(code|answer|test)(_\d+)?'.format(
        '|'.join(labels)), i) for i in ids), ids
    for cell in nb.cells:
        if is_test(cell):
            # all of a test is hidden: the release must run without it
            assert cell.source.split(HIDDEN)[0].strip().startswith('#')
            assert cell.source.rstrip().endswith('### END HIDDEN TESTS')


def points_of(nb):
    """{label: [autograded, written]} from a notebook's nbgrader cells."""
    points = {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get('grade'):
            label = re.sub(r'_(code|answer|test)(_\d+)?$', '',
                           meta['grade_id'])
            kind = 0 if cell.cell_type == 'code' else 1
            points.setdefault(label, [0, 0])[kind] += meta['points']
    return points


def test_instructors_page_gives_the_notebooks_points():
    page = (ROOT / 'book' / 'instructors.md').read_text()
    table = {m[1]: [int(m[2]), int(m[3])] for m in re.finditer(
        r'^\| `(\w+)` \| (\d+) \| (\d+) \|', page, re.M)}
    want = {}
    for path in NOTEBOOKS:
        points = points_of(nbformat.read(path, as_version=4))
        want.update(points)
        total = sum(a + w for a, w in points.values())
        # each chapter's heading gives its total
        first = next(iter(points))
        heading = page[:page.index(f'| `{first}`')].rsplit('###', 1)[1]
        assert f'({total} points)' in heading.splitlines()[0], path.name
    assert table == want
    # every exercise is worth something in both columns
    assert all(a > 0 and w > 0 for a, w in want.values())
