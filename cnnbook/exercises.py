"""The student edition of a chapter notebook: exercises kept, solutions out.

The chapters mark solutions twice, as the house style asks:
sphinx-exercise's ``{solution-start}``/``{solution-end}`` directives around
the solution prose, and nbgrader's ``### BEGIN SOLUTION``/``### END
SOLUTION`` around the solution code. nbgrader's own ClearSolutions would
handle the code but not the prose (it keys on cell metadata we do not
write), and it brings nbgrader's server and database stack; so this module
does the same replacement by hand, with nbgrader's stub, and drops the
prose as well.
"""
import copy

BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
# nbgrader's stub, so that students and graders see what they expect.
STUB = ['# YOUR CODE HERE', 'raise NotImplementedError()']
# A cell documented by nbmake and nbclient: an error there is expected.
RAISES = 'raises-exception'


class SolutionMarkupError(ValueError):
    """A chapter's solution markers do not pair up."""


def _fence_opens(line, name):
    return line.lstrip().startswith('```{' + name + '}')


def _strip_code(source, where):
    """Replace each BEGIN...END region of a code cell by nbgrader's stub."""
    out, inside = [], False
    for line in source.splitlines():
        mark = line.strip()
        if mark == BEGIN:
            if inside:
                raise SolutionMarkupError(f'{where}: {BEGIN} twice')
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out.extend(indent + s for s in STUB)
        elif mark == END:
            if not inside:
                raise SolutionMarkupError(f'{where}: {END} without {BEGIN}')
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkupError(f'{where}: {BEGIN} without {END}')
    return '\n'.join(out)


def student_notebook(nb, name='notebook'):
    """A copy of ``nb`` with solution prose dropped and code stubbed.

    Markdown between ``{solution-start}`` and ``{solution-end}`` (the
    directives included) is removed; a cell left empty is dropped. In code
    cells each ``### BEGIN SOLUTION``..``### END SOLUTION`` region becomes
    nbgrader's ``raise NotImplementedError()`` stub and the cell is tagged
    ``raises-exception``, so the notebook still runs top to bottom. A code
    cell inside a solution without markers raises SolutionMarkupError:
    its code would leak into the student edition.
    """
    nb = copy.deepcopy(nb)
    cells, in_solution = [], False
    for i, cell in enumerate(nb.cells):
        where = f'{name}, cell {i}'
        if cell.cell_type == 'markdown':
            kept, skip_fence = [], False
            for line in cell.source.splitlines():
                if _fence_opens(line, 'solution-start'):
                    in_solution = skip_fence = True
                elif _fence_opens(line, 'solution-end'):
                    if not in_solution:
                        raise SolutionMarkupError(
                            f'{where}: solution-end without solution-start')
                    in_solution, skip_fence = False, True
                elif skip_fence:
                    skip_fence = line.strip() != '```'
                elif not in_solution:
                    kept.append(line)
            cell.source = '\n'.join(kept).strip('\n')
            if cell.source.strip():
                cells.append(cell)
            continue
        if cell.cell_type == 'code':
            if BEGIN in cell.source or END in cell.source:
                cell.source = _strip_code(cell.source, where)
                tags = cell.metadata.setdefault('tags', [])
                if RAISES not in tags:
                    tags.append(RAISES)
            elif in_solution:
                raise SolutionMarkupError(
                    f'{where}: code inside a solution has no {BEGIN} / '
                    f'{END} markers, so it would reach students')
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if in_solution:
        raise SolutionMarkupError(f'{name}: solution-start without '
                                  'solution-end')
    nb.cells = cells
    return nb
