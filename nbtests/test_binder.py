"""Checks on binder/, what repo2docker (Binder) builds the book from.

repo2docker reads binder/runtime.txt for the Python version and runs
``pip install -r binder/requirements.txt`` from the repository's root.
Because a binder/ folder exists, it does not also run ``pip install .``,
which would replace the editable install (repo2docker's
buildpacks/python: _is_python_package is False with a binder folder).
A whole build (a fresh Python 3.11 with repo2docker's Jupyter packages,
the same pip command, then every notebook) is too slow for this suite;
it was run by hand.
"""
import re
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(path):
    lines = (line.split('#', 1)[0].strip()
             for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_runtime_is_a_supported_python():
    runtime = (ROOT / 'binder' / 'runtime.txt').read_text().strip()
    found = re.fullmatch(r'python-(3\.\d+)', runtime)
    assert found, f'binder/runtime.txt: {runtime!r} is not python-3.N'
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    supported = SpecifierSet(project['project']['requires-python'])
    assert f'{found.group(1)}.0' in supported


def test_binder_installs_the_one_requirements_file():
    assert requirement_lines(ROOT / 'binder' / 'requirements.txt') == [
        '-r ../requirements.txt']
    # cnnbook editable, from the root where repo2docker runs pip
    assert '-e .' in requirement_lines(ROOT / 'requirements.txt')
