"""What ``import cnnbook`` loads: the policy in cnnbook/__init__.py."""
import subprocess
import sys
from pathlib import Path

HEAVY = ('mxnet', 'matplotlib', 'IPython', 'ipywidgets', 'myst_nb',
         'sphinx', 'sphinx_exercise')


def loaded_after(statement):
    """The heavy top-level packages a fresh Python has after ``statement``."""
    code = (f'{statement}\nimport sys\n'
            f'print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}}'
            f' & {set(HEAVY)!r})))')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, check=True)
    return done.stdout.split()


def test_import_cnnbook_loads_no_mxnet_and_no_sphinx():
    # MXNet is imported where it is used; the notebooks' import never
    # reaches the site's Sphinx extension
    assert loaded_after('import cnnbook') == []


def test_every_module_but_the_extension_imports_lightly():
    # __main__ runs the command line when imported, so it is left out
    folder = Path(__file__).resolve().parents[1] / 'cnnbook'
    modules = sorted({p.stem for p in folder.glob('*.py')}
                     - {'__init__', '__main__', 'sphinxext'})
    assert {'data', 'training', 'build', 'results'} <= set(modules)
    statement = '; '.join(f'import cnnbook.{m}' for m in modules)
    assert loaded_after(statement) == []
    assert 'sphinx' in loaded_after('import cnnbook.sphinxext')


def test_dependencies_list_what_cnnbook_imports():
    import ast
    import tomllib
    from importlib.metadata import packages_distributions

    def norm(name):
        return name.lower().replace('_', '-').replace('.', '-')
    root = Path(__file__).resolve().parents[1]
    imported = set()
    for path in (root / 'cnnbook').glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split('.')[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add(node.module.split('.')[0])
    third_party = imported - set(sys.stdlib_module_names)
    dists = packages_distributions()
    needed = {norm(dists[name][0]) for name in third_party}
    project = tomllib.loads((root / 'pyproject.toml').read_text())
    listed = {norm(d) for d in project['project']['dependencies']}
    assert 'myst-nb' in needed and 'mxnet' in needed
    assert listed == needed
