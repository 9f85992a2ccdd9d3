"""Load a chapter's model definitions from its notebook.

The notebooks hold the only copy of each model. Tests and benchmarks that
need a chapter's ``nin`` or ``googlenet`` take it from the notebook with
:func:`definitions` rather than keeping a second copy. This works from a
checkout of the repository (``pip install -e .``), where ``book/`` sits
beside the package.

A chapter marks the cells that define its model with the cell tag
``chapter-model``: its imports, blocks, channel settings and network
builder, and nothing that trains or draws. Those cells run whole, in
order, as they do in the notebook.
"""
import json
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / 'book'
TAG = 'chapter-model'


def definitions(notebook):
    """Run a notebook's ``chapter-model`` cells; return their namespace.

    Whatever those cells set globally happens here too: the 7.4 chapter's
    ``npx.set_np()`` turns on MXNet's NumPy interface in this process.
    """
    nb = json.loads((BOOK / notebook).read_text())
    cells = [cell for cell in nb['cells'] if cell['cell_type'] == 'code'
             and TAG in cell['metadata'].get('tags', [])]
    if not cells:
        raise ValueError(f'{notebook} has no cell tagged {TAG!r}; tag the '
                         'cells that define its model')
    namespace = {}
    for i, cell in enumerate(cells):
        code = compile(''.join(cell['source']), f'{notebook}, {TAG} cell '
                       f'{i + 1}', 'exec')
        exec(code, namespace)
    return namespace


# section -> (notebook, name of its network builder)
BUILDERS = {'nin': ('nin.ipynb', 'nin'),
            'googlenet': ('googlenet.ipynb', 'googlenet'),
            'googlenet-numpy': ('googlenet-numpy.ipynb', 'googlenet')}


def builder(section):
    """The function that builds ``section``'s network, from its notebook."""
    if section not in BUILDERS:
        raise ValueError(f'unknown section {section!r}; known: '
                         f'{", ".join(BUILDERS)}')
    notebook, name = BUILDERS[section]
    return definitions(notebook)[name]
