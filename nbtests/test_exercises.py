"""The student edition of the notebooks (cnnbook/exercises.py)."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from cnnbook.exercises import (BEGIN, END, RAISES, STUB, SolutionMarkupError,
                               student_notebook)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))


def nb_of(*cells):
    """A notebook from ('md'|'code', source) pairs."""
    make = {'md': nbformat.v4.new_markdown_cell,
            'code': nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[make[k](s) for k, s in cells])


EXERCISE = '```{exercise}\n:label: ex1\n\nCount the layers.\n```'
START = '```{solution-start} ex1\n:class: dropdown\n```'
END_DIRECTIVE = '```{solution-end}\n```'


def test_prose_and_code_of_a_solution_go():
    nb = nb_of(('md', '# Title\n\nIntro.'),
               ('md', EXERCISE + '\n\n' + START + '\n\nThe answer is 7.'),
               ('code', f'x = 1\n{BEGIN}\nanswer = 7\n{END}\nprint(x)'),
               ('md', 'Because of reasons.\n\n' + END_DIRECTIVE +
                '\n\n## Next'))
    out = student_notebook(nb)
    text = '\n'.join(c.source for c in out.cells)
    assert 'Count the layers.' in text and '## Next' in text
    for gone in ('The answer is 7', 'Because of reasons', 'solution-start',
                 'solution-end', 'answer = 7', BEGIN, END):
        assert gone not in text
    code = [c for c in out.cells if c.cell_type == 'code'][0]
    assert code.source == 'x = 1\n' + '\n'.join(STUB) + '\nprint(x)'
    assert RAISES in code.metadata['tags']
    # the input notebook is left as it was
    assert 'answer = 7' in nb.cells[2].source


def test_indented_markers_keep_their_indent():
    nb = nb_of(('code', f'def f():\n    {BEGIN}\n    return 1\n    {END}'))
    src = student_notebook(nb).cells[0].source
    assert src == 'def f():\n' + '\n'.join('    ' + s for s in STUB)


def test_a_cell_left_empty_is_dropped():
    nb = nb_of(('md', START), ('code', f'{BEGIN}\npass\n{END}'),
               ('md', END_DIRECTIVE))
    out = student_notebook(nb)
    assert [c.cell_type for c in out.cells] == ['code']


@pytest.mark.parametrize('cells, message', [
    ([('code', f'{BEGIN}\nx = 1')], 'without ### END'),
    ([('code', f'x = 1\n{END}')], 'without ### BEGIN'),
    ([('md', START), ('code', 'leak = 1'), ('md', END_DIRECTIVE)],
     'would reach students'),
    ([('md', END_DIRECTIVE)], 'solution-end without solution-start'),
    ([('md', START)], 'solution-start without solution-end'),
])
def test_bad_markup_is_refused(cells, message):
    with pytest.raises(SolutionMarkupError, match=message):
        student_notebook(nb_of(*cells), 'demo.ipynb')


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_keeps_its_exercises_and_loses_its_solutions(path):
    nb = nbformat.read(path, as_version=4)
    out = student_notebook(nb, path.name)
    text = '\n'.join(c.source for c in out.cells)
    labels = re.findall(r':label: (\w+)', '\n'.join(
        c.source for c in nb.cells if c.cell_type == 'markdown'))
    assert labels, f'{path.name} has no exercise'
    for label in labels:
        assert f':label: {label}' in text
    for gone in ('{solution-start}', '{solution-end}', BEGIN, END):
        assert gone not in text
    stubs = [c for c in out.cells if 'raise NotImplementedError()' in
             c.source]
    assert len(stubs) == sum(c.source.count(BEGIN) for c in nb.cells)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_runs_top_to_bottom(path, monkeypatch):
    """Only the stubbed cells may raise, and only NotImplementedError."""
    monkeypatch.setenv('CNNBOOK_PROFILE', 'smoke')
    nb = student_notebook(nbformat.read(path, as_version=4), path.name)
    client = NotebookClient(nb, timeout=600, kernel_name='python3',
                            resources={'metadata': {'path': str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f'{path.name}: a cell that is not a stub failed:\n{err}')
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        errors = [o for o in cell.outputs if o.output_type == 'error']
        if RAISES in cell.metadata.get('tags', []):
            assert [e.ename for e in errors] == ['NotImplementedError']
        else:
            assert not errors
