"""What nbgrader cannot do for the course edition: check and tidy.

The chapters are nbgrader source notebooks. Their exercises use
sphinx-exercise (``{exercise}``, then ``{solution-start}``, the solution
cells, ``{solution-end}``), and every cell of a solution carries nbgrader's
cell metadata: code cells are "autograded answers" whose solution sits
between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; each markdown cell
of written answer is a "manually graded answer"; a locked, hidden test cell
with points follows the exercise where its answer can be computed.
nbgrader's ``generate_assignment`` (cnnbook/course.py) makes the release.

This module does the three things nbgrader does not:

* :func:`check_source` refuses a chapter whose solutions would leak: a
  solution region or a cell inside ``{solution-start}``..``{solution-end}``
  without nbgrader's metadata (nbgrader only sees the code regions, and
  would hand the solution prose out as it is), a directive cell that also
  holds prose, or a test cell that the site would show. Metadata that
  nbgrader itself rejects is reported through nbgrader's own validator.
* :func:`student_release` drops the sphinx-exercise solution directives,
  which mean nothing around a student's answer, from nbgrader's release;
* and tags each stubbed code cell ``raises-exception`` (a tag nbmake and
  nbclient document), so that the student notebook runs from top to
  bottom and only those cells stop with ``NotImplementedError``.
"""
import copy
import re

BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
HIDDEN = '### BEGIN HIDDEN TESTS'
# nbgrader's default stubs (ClearSolutions.code_stub and text_stub)
STUB = 'raise NotImplementedError()'
TEXT_STUB = 'YOUR ANSWER HERE'
# documented by nbmake and nbclient: an error in such a cell is expected
RAISES = 'raises-exception'
# documented by Jupyter Book: the cell is left out of the site
REMOVE = 'remove-cell'

_START = re.compile(r'^```\{solution-start\}\s*(\S*)')
_END = re.compile(r'^```\{solution-end\}')


class SolutionMarkupError(ValueError):
    """A chapter's solutions are not marked so that nbgrader hides them."""


def nbgrader_meta(cell):
    """The cell's nbgrader metadata, or an empty dict."""
    return cell.metadata.get('nbgrader', {})


def is_test(cell):
    """Whether ``cell`` is an autograded test cell."""
    meta = nbgrader_meta(cell)
    return (cell.cell_type == 'code' and meta.get('grade', False)
            and not meta.get('solution', False))


def _directives(source):
    """The solution directives of a markdown cell, in order.

    Yields ('start', label, line number) and ('end', None, line number).
    """
    for n, line in enumerate(source.splitlines()):
        match = _START.match(line.strip())
        if match:
            yield 'start', match.group(1), n
        elif _END.match(line.strip()):
            yield 'end', None, n


def _fence_end(lines, start):
    """The line number that closes the directive opened at ``start``."""
    for n in range(start + 1, len(lines)):
        if lines[n].strip() == '```':
            return n
    return len(lines) - 1


def check_source(nb, name='notebook'):
    """Raise SolutionMarkupError unless nbgrader would hide every solution.

    Returns the exercise labels in order.
    """
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    try:
        MetadataValidator().validate_nb(copy.deepcopy(nb))
    except ValidationError as err:
        raise SolutionMarkupError(f'{name}: nbgrader rejects the cell '
                                  f'metadata: {err}') from None
    labels, inside = [], None
    for i, cell in enumerate(nb.cells):
        where = f'{name}, cell {i}'
        meta, source = nbgrader_meta(cell), cell.source
        fix = ('give it nbgrader metadata {"solution": true, "grade_id": '
               '..., "schema_version": 3} (markdown: also "grade": true '
               'and "points")')
        if cell.cell_type == 'markdown':
            marks = list(_directives(source))
            lines = source.splitlines()
            if marks and meta:
                raise SolutionMarkupError(
                    f'{where}: a cell holding a solution directive must '
                    f'not be an nbgrader cell: nbgrader would replace the '
                    f'directive with the rest; keep the answer in a cell '
                    f'of its own')
            for kind, label, n in marks:
                if kind == 'start':
                    if inside:
                        raise SolutionMarkupError(
                            f'{where}: solution-start inside {inside}')
                    after = lines[_fence_end(lines, n) + 1:]
                    if '\n'.join(after).strip():
                        raise SolutionMarkupError(
                            f'{where}: prose after {{solution-start}} '
                            f'{label}; move it to a cell of its own, '
                            f'marked as a written answer')
                    inside = label
                    labels.append(label)
                else:
                    if not inside:
                        raise SolutionMarkupError(
                            f'{where}: solution-end without solution-start')
                    if '\n'.join(lines[:n]).strip():
                        raise SolutionMarkupError(
                            f'{where}: prose before {{solution-end}} of '
                            f'{inside}; move it to a cell of its own, '
                            f'marked as a written answer')
                    inside = None
            if marks or not inside:
                continue
            if not meta.get('solution'):
                raise SolutionMarkupError(
                    f'{where}: prose inside the solution of {inside} '
                    f'would reach students; {fix}')
            continue
        if cell.cell_type != 'code':
            continue
        if (BEGIN in source or END in source) and not meta.get('solution'):
            raise SolutionMarkupError(
                f'{where}: a {BEGIN} region in a cell that is not an '
                f'nbgrader solution cell; {fix}')
        if inside and not meta.get('solution'):
            raise SolutionMarkupError(
                f'{where}: code inside the solution of {inside} is not an '
                f'nbgrader solution cell, so it would reach students; '
                f'{fix}')
        if meta.get('solution') and BEGIN not in source:
            raise SolutionMarkupError(
                f'{where}: a solution cell without a {BEGIN} region would '
                f'reach students whole; mark the solution')
        if is_test(cell):
            if inside:
                raise SolutionMarkupError(
                    f'{where}: test cell inside the solution of {inside}; '
                    f'put it after {{solution-end}}')
            if not meta.get('locked') or REMOVE not in cell.metadata.get(
                    'tags', []):
                raise SolutionMarkupError(
                    f'{where}: a test cell must be locked and tagged '
                    f'{REMOVE!r}, so that students cannot edit it and the '
                    f'site does not show it')
            if HIDDEN not in source:
                raise SolutionMarkupError(
                    f'{where}: a test cell without a {HIDDEN} region would '
                    f'show students the answers it checks; hide its '
                    f'asserts')
    if inside:
        raise SolutionMarkupError(f'{name}: solution-start {inside} without '
                                  f'solution-end')
    return labels


def student_release(nb):
    """nbgrader's release of a chapter, tidied for students.

    Drops the ``{solution-start}`` and ``{solution-end}`` directives (and
    cells they leave empty) and tags every stubbed code cell
    ``raises-exception``. Returns a new notebook.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == 'markdown' and not nbgrader_meta(cell):
            lines = cell.source.splitlines()
            drop = set()
            for _, _, n in _directives(cell.source):
                drop.update(range(n, _fence_end(lines, n) + 1))
            if drop:
                cell.source = '\n'.join(
                    line for n, line in enumerate(lines)
                    if n not in drop).strip('\n')
                if not cell.source.strip():
                    continue
        if cell.cell_type == 'code' and STUB in cell.source:
            tags = cell.metadata.setdefault('tags', [])
            if RAISES not in tags:
                tags.append(RAISES)
        cells.append(cell)
    nb.cells = cells
    return nb
