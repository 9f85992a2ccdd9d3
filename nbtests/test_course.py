"""The course edition, released and graded by the real nbgrader.

One course folder (its own nbgrader_config.py and gradebook) serves every
test here: nbgrader's generate_assignment releases the chapters; the
release must hold no solution and run from top to bottom; then two
students "submit": one hands in the chapters with their solutions, one the
untouched release, one a plausible wrong answer to every exercise
(nbtests/submissions.py). ``nbgrader autograde`` (smoke profile) must give
the first full marks, the second zero on every autograded test and the
third less than full marks on every one, and ``nbgrader
generate_feedback`` must write their feedback pages. The alternative
correct answers are graded through a real JupyterHub
(nbtests/test_hub.py).
"""
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from cnnbook.course import (BOOK, CourseError, chapters, make_course,
                            nbgrader)
from cnnbook.exercises import (BEGIN, END, HIDDEN, RAISES, STUB, TEXT_STUB,
                               is_test, nbgrader_meta)
from submissions import WRONG, fill

SMOKE = {'CNNBOOK_PROFILE': 'smoke'}


def source(name):
    return nbformat.read(BOOK / f'{name}.ipynb', as_version=4)


@pytest.fixture(scope='module')
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp('course')
    released = make_course(root)
    assert [p.parent.name for p in released] == chapters()
    return root


def released(course, name):
    return nbformat.read(course / 'release' / name / f'{name}.ipynb',
                         as_version=4)


def test_unknown_chapter_is_refused(tmp_path):
    with pytest.raises(ValueError, match='no chapter named nope'):
        make_course(tmp_path / 'c', ['nope'])
    assert not (tmp_path / 'c').exists()


def test_a_failing_nbgrader_command_says_why(course):
    with pytest.raises(CourseError, match='autograde no-such'):
        nbgrader(course, 'autograde', 'no-such-assignment')


@pytest.mark.parametrize('name', chapters())
def test_release_holds_no_solution(course, name):
    src, out = source(name), released(course, name)
    text = '\n'.join(c.source for c in out.cells)
    for gone in (BEGIN, END, HIDDEN, '{solution-start}', '{solution-end}'):
        assert gone not in text
    solutions = [c for c in src.cells if nbgrader_meta(c).get('solution')]
    assert solutions
    for cell in solutions:
        if cell.cell_type == 'code':
            region = cell.source.split(BEGIN)[1].split(END)[0].strip()
            assert region not in text
        else:
            assert cell.source.strip() not in text
    for cell in src.cells:
        if is_test(cell):
            assert cell.source.split(HIDDEN)[1].strip() not in text
    # one stub per solution cell, every exercise statement kept
    kinds = [c.cell_type for c in solutions]
    assert text.count(STUB) == kinds.count('code')
    assert text.count(TEXT_STUB) == kinds.count('markdown')
    for cell in src.cells:
        if '```{exercise}' in cell.source:
            statement = cell.source.split('```{exercise}')[1].split('```')[0]
            assert statement.strip() in text
    assert text.count('```{exercise}') == '\n'.join(
        c.source for c in src.cells).count('```{exercise}')


@pytest.mark.parametrize('name', chapters())
def test_release_runs_top_to_bottom(course, name, monkeypatch):
    """Only the stubbed cells may raise, and only NotImplementedError."""
    monkeypatch.setenv('CNNBOOK_PROFILE', 'smoke')
    nb = released(course, name)
    client = NotebookClient(nb, timeout=600, kernel_name='python3',
                            resources={'metadata': {'path': str(BOOK)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f'{name}: a cell that is not a stub failed:\n{err}')
    stubs = 0
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        errors = [o.ename for o in cell.outputs if o.output_type == 'error']
        if RAISES in cell.metadata.get('tags', []):
            assert errors == ['NotImplementedError']
            stubs += 1
        else:
            assert not errors, cell.source
    assert stubs


@pytest.fixture(scope='module')
def graded(course):
    """Autograde three submissions of every chapter; return the scores.

    {student: {chapter: {grade_id: (score, max_score)}}} for the
    autograded test cells.
    """
    from nbgrader.api import Gradebook
    hand_in = {'solutions': lambda name: BOOK / f'{name}.ipynb',
               'untouched': lambda name: (course / 'release' / name /
                                          f'{name}.ipynb')}
    for name in chapters():
        for student, notebook in hand_in.items():
            folder = course / 'submitted' / student / name
            folder.mkdir(parents=True)
            shutil.copy(notebook(name), folder / f'{name}.ipynb')
        folder = course / 'submitted' / 'wrong' / name
        folder.mkdir(parents=True)
        nbformat.write(fill(released(course, name), WRONG[name]),
                       folder / f'{name}.ipynb')
        nbgrader(course, 'autograde', name, '--create', env=SMOKE)
        nbgrader(course, 'generate_feedback', name)
    scores = {}
    with Gradebook(f'sqlite:///{course / "gradebook.db"}') as gb:
        for student in [*hand_in, 'wrong']:
            for name in chapters():
                nb = gb.find_submission_notebook(name, name, student)
                scores.setdefault(student, {})[name] = {
                    g.name: (g.score, g.max_score) for g in nb.grades
                    if g.cell.cell_type == 'code'}
    return scores


def autograded_points(name):
    return {nbgrader_meta(c)['grade_id']: nbgrader_meta(c)['points']
            for c in source(name).cells if is_test(c)}


@pytest.mark.parametrize('name', chapters())
def test_solutions_get_full_marks(graded, name):
    want = autograded_points(name)
    assert want, f'{name} has no autograded test'
    assert graded['solutions'][name] == {
        k: (float(v), float(v)) for k, v in want.items()}


@pytest.mark.parametrize('name', chapters())
def test_untouched_release_gets_zero(graded, name):
    assert graded['untouched'][name] == {
        k: (0.0, float(v)) for k, v in autograded_points(name).items()}


@pytest.mark.parametrize('name', chapters())
def test_wrong_answers_score_less(graded, name):
    """Each plausible wrong answer loses points on its exercise's test."""
    want = autograded_points(name)
    assert set(WRONG[name]) and set(graded['wrong'][name]) == set(want)
    for grade_id, (score, points) in graded['wrong'][name].items():
        assert score < points, grade_id


@pytest.mark.parametrize('student', ['solutions', 'untouched', 'wrong'])
def test_feedback_is_written(course, graded, student):
    """nbgrader's feedback page lists each test cell with its score."""
    for name in chapters():
        page = course / 'feedback' / student / name / f'{name}.html'
        html = page.read_text()
        for grade_id, (score, points) in graded[student][name].items():
            assert (f'<a href="#{grade_id}">Test cell</a> '
                    f'(Score: {score} / {points})') in html
