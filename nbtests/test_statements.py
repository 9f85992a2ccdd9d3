"""Every name a hidden test reads is named in its exercise's statement.

cnnbook.exercises.check_statements parses each hidden test with ``ast``,
takes the names it reads that the solution cells define (the student's
variables, functions and classes), and looks for each in the statement,
a function with its arguments. nbtests/test_course.py grades the
alternative solutions and the wrong answers of nbtests/submissions.py.
"""
from pathlib import Path

import nbformat
import pytest

from cnnbook.exercises import (BEGIN, END, HIDDEN, SolutionMarkupError,
                               check_statements, exercise_parts,
                               graded_names)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))


def chapter(statement, solution, test):
    cells = [nbformat.v4.new_markdown_cell(
                 f'```{{exercise}}\n:label: ex1\n\n{statement}\n```'),
             nbformat.v4.new_code_cell(
                 f'{BEGIN}\n{solution}\n{END}',
                 metadata={'nbgrader': {'solution': True,
                                        'grade_id': 'ex1_code'}}),
             nbformat.v4.new_code_cell(
                 f'{HIDDEN}\n{test}\n### END HIDDEN TESTS',
                 metadata={'nbgrader': {'grade': True, 'solution': False,
                                        'grade_id': 'ex1_test',
                                        'points': 1}})]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_every_graded_name_is_in_its_statement(path):
    nb = nbformat.read(path, as_version=4)
    found = check_statements(nb, path.name)
    tested = [label for label, parts in exercise_parts(nb).items()
              if parts['test']]
    assert tested and all(found[label] for label in tested), found


def test_the_names_of_the_review():
    """The names the 2026-12-05 review found missing are graded names."""
    names = {}
    for path in NOTEBOOKS:
        for label, parts in exercise_parts(
                nbformat.read(path, as_version=4)).items():
            names[label] = graded_names(parts)
    assert 'heaviest' in names['nin_ex2']
    assert 'widths' in names['googlenet_ex1']
    assert 'smallest' in names['googlenet_np_ex5']
    assert names['nin_ex7']['memory'] == 'memory(side, batch, optimizer_slots)'
    assert 'SmoothedCrossEntropy' in names['googlenet_np_ex3']


def test_an_unnamed_variable_is_refused():
    nb = chapter('Count the layers.', 'n_layers = 7\nhelper = 2',
                 'assert n_layers == 7')
    with pytest.raises(SolutionMarkupError,
                       match=r'ex1: the hidden test reads n_layers, which'):
        check_statements(nb, 'demo.ipynb')
    # a name the test binds itself, or one local to the solution's
    # functions, is not graded
    nb = chapter('Store the count in `n_layers`.',
                 'def f(x):\n    inner = x\n    return inner\n'
                 'n_layers = f(7)',
                 'inner = 3\nassert n_layers == 7 and inner == 3')
    assert check_statements(nb) == {'ex1': ['n_layers']}


def test_a_function_needs_its_arguments():
    solution = 'def memory(side, batch=1):\n    return side * batch'
    nb = chapter('Write `memory`.', solution, 'assert memory(2) == 2')
    with pytest.raises(SolutionMarkupError, match=r'reads memory\(side\)'):
        check_statements(nb)
    nb = chapter('Write `memory(side)`, in bytes.', solution,
                 'assert memory(2) == 2')
    assert check_statements(nb) == {'ex1': ['memory']}


def test_a_prefix_is_not_a_name():
    nb = chapter('Store it in `n_layers_total`.', 'n_layers = 7',
                 'assert n_layers == 7')
    with pytest.raises(SolutionMarkupError, match='n_layers'):
        check_statements(nb)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_every_autograded_exercise_has_other_answers(path):
    """nbtests/submissions.py answers every autograded exercise twice:
    correctly in another way, and plausibly wrong."""
    from submissions import ALTERNATIVE, WRONG
    nb = nbformat.read(path, as_version=4)
    for label, parts in exercise_parts(nb).items():
        if not parts['test']:
            continue
        for answers in (ALTERNATIVE, WRONG):
            assert any(gid.startswith(label + '_')
                       for gid in answers[path.stem]), label
