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


# ---- the statements name what is graded ----
_EXERCISE = re.compile(r'```\{exercise\}\s*\n:label:\s*(\S+)\s*\n(.*?)\n```',
                       re.S)


def exercise_parts(nb):
    """Each exercise's statement, solution code and test, by label.

    Returns {label: {'statement': str, 'solution': [code sources],
    'test': code source or None}}. A solution or test cell belongs to
    the exercise whose statement came last before it.
    """
    parts, label = {}, None
    for cell in nb.cells:
        match = _EXERCISE.search(cell.source)
        if match:
            label = match.group(1)
            parts[label] = {'statement': match.group(2), 'solution': [],
                            'test': None}
        if label is None:
            continue
        if cell.cell_type == 'code' and nbgrader_meta(cell).get('solution'):
            parts[label]['solution'].append(cell.source)
        elif is_test(cell):
            parts[label]['test'] = cell.source
    return parts


def _top_level_names(source):
    """Names a cell defines for the cells after it, with their node.

    Assignments, loops, imports, functions and classes at the top level
    (or inside top-level if/for/with/try); not names local to a
    function, class, lambda or comprehension.
    """
    import ast
    names = {}

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.setdefault(node.name, node)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp,
                             ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.setdefault(node.id, node)
        if isinstance(node, ast.alias):
            names.setdefault((node.asname or node.name).split('.')[0], node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return names


def _names_read(source):
    """Names a test reads but never binds itself (its inputs)."""
    import ast
    tree = ast.parse(source)
    bound = set(_top_level_names(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
            and node.id not in bound}


def graded_names(parts):
    """What a test reads that the student's solution defines.

    ``parts`` is one entry of :func:`exercise_parts`. Returns {name:
    signature}, the signature being ``name(a, b)`` with a function's
    arguments that have no default, or ``None`` for other names.
    """
    import ast
    defined = {}
    for source in parts['solution']:
        defined.update(_top_level_names(source))
    read = _names_read(parts['test']) if parts['test'] else set()
    graded = {}
    for name in sorted(read & set(defined)):
        node, signature = defined[name], None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.posonlyargs + node.args.args
            required = args[:len(args) - len(node.args.defaults)]
            signature = f'{name}({", ".join(a.arg for a in required)})'
        graded[name] = signature
    return graded


def check_statements(nb, name='notebook'):
    """Raise SolutionMarkupError unless every graded name is stated.

    Each name that an exercise's hidden test reads from the solution
    (:func:`graded_names`) must appear in the exercise's statement in
    backquotes (`` `widths` ``), a function with its arguments
    (`` `memory(side, batch, optimizer_slots)` ``), so that a student
    learns from the statement alone what the autograder will call.
    Returns {label: graded names}.
    """
    found = {}
    for label, parts in exercise_parts(nb).items():
        graded = graded_names(parts)
        missing = []
        for var, signature in graded.items():
            want = signature or var
            # a variable or class: `name`, `name(...)` or `name[...]`
            tail = r'(?!\w)' if signature is None else ''
            if not re.search('`' + re.escape(want) + tail,
                             parts['statement']):
                missing.append(want)
        if missing:
            raise SolutionMarkupError(
                f'{name}, {label}: the hidden test reads '
                f'{", ".join(missing)}, which the statement never names '
                f'(in backquotes); say in the statement what is graded')
        found[label] = sorted(graded)
    return found
