"""Numbers stated in a chapter's prose, checked against the code.

A sentence that states a number the notebook computes is followed by a
code cell tagged ``prose-check`` that calls :func:`claim` with the
number exactly as the sentence writes it. Running the notebook checks
the computed value; nbtests/test_prose.py checks that the markdown cell
above the check still contains that text. Together they fail when the
sentence and the computation disagree.

Why not myst-nb's ``glue``: glued values render only in the site build;
in JupyterLab (jupyterlab-myst included) a ``{glue}`` role shows as an
empty or raw role, and a student reading the notebook would lose the
number. A literal number plus a check keeps one text for both.
"""


def claim(text, value, fmt='{:,}'):
    """Check that ``text``, a number as the prose writes it, is ``value``.

    Args:
        text: the number as it appears in the sentence above, e.g.
            ``'189,696'`` or ``'24%'``.
        value: the number the notebook computes.
        fmt: how ``value`` is written in the prose (a ``str.format``
            pattern): ``'{:,}'`` for counts, ``'{:.0%}'`` for shares.
    """
    shown = fmt.format(value)
    if shown != text:
        raise AssertionError(
            f'the text says {text!r} but the code computes {shown!r}: '
            f'correct the sentence above this cell (or its check)')
