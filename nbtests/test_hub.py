"""The course on a real JupyterHub, through nbgrader's exchange.

JupyterHub (from PyPI) runs course/jupyterhub_config.py on 127.0.0.1
with configurable-http-proxy (from npm, js/package-lock.json) on free
ports. Four students log in with the course password
(SharedPasswordAuthenticator); the hub starts a server for each
(SimpleLocalProcessSpawner, one home folder each). The instructor
releases the four chapters into an exchange in a temporary folder, and
each student fetches, works and submits through nbgrader's REST handlers
in their own server, reached through the hub's proxy with their own
token (what the Assignments tab does):

* alice types the alternative answers of nbtests/submissions.py;
* bob submits the release untouched;
* carol types the book's answers, deletes a test cell and pastes a
  solution cell twice (jupyter/nbgrader #1941, #1083);
* dave types the book's answers after the deadline.

Then the instructor collects, autogrades (smoke profile), generates and
releases feedback, each student fetches theirs, and the grades are
exported as CSV. carol and dave hand in two chapters (getting-started
and googlenet, the quickest to grade): what they test, a damaged
notebook and a late one, is nbgrader's handling of a submission, the
same for every chapter, while alice and bob cover all four.

All servers run as one OS user here, so this tests what the hub and
nbgrader isolate (tokens, servers, the exchange's naming and modes), not
what the operating system does; see book/instructors.md.
"""
import csv
import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cnnbook.course import BOOK, chapters, make_course, nbgrader
from cnnbook.exercises import is_test, nbgrader_meta
from submissions import ALTERNATIVE, book_answers, damage, fill

requests = pytest.importorskip('requests')
ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / 'course'
CHP = ROOT / 'js/node_modules/.bin/configurable-http-proxy'
PASSWORD = 'cnnbook-course-password'
STUDENTS = ['alice', 'bob', 'carol', 'dave']
FEW = ['getting-started', 'googlenet']      # what carol and dave hand in
ON_TIME = ['alice', 'bob', 'carol']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def missing_tools():
    """Why the hub cannot run here, or None."""
    if not CHP.exists():
        return f'{CHP} is missing: npm ci --prefix js'
    if shutil.which('node') is None:
        return 'node is missing: apt-get install npm'
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return 'jupyterhub is missing: pip install -r requirements.txt'
    return None


@pytest.fixture(scope='module')
def hub(tmp_path_factory):
    """A running hub: yields (url, environment of the course)."""
    why = missing_tools()
    if why:
        if os.environ.get('CI') == 'true':
            pytest.fail(why)
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp('hub')
    exchange, homes, state = tmp / 'exchange', tmp / 'home', tmp / 'state'
    for folder in (exchange, homes, state):
        folder.mkdir()
    exchange.chmod(0o1777)      # as the instructors page says
    port = free_port()
    env = {'CNNBOOK_HUB_PORT': str(port),
           'CNNBOOK_HUB_API_PORT': str(free_port()),
           'CNNBOOK_PROXY_API_PORT': str(free_port()),
           'CNNBOOK_HUB_PASSWORD': PASSWORD,
           'CNNBOOK_STUDENTS': ','.join(STUDENTS),
           'CNNBOOK_EXCHANGE': str(exchange),
           'CNNBOOK_HOMES': str(homes),
           'CNNBOOK_CHP': str(CHP)}
    path = os.pathsep.join([str(Path(sys.executable).parent),
                            os.environ['PATH']])
    log = open(tmp / 'hub.log', 'w')
    proc = subprocess.Popen(
        [sys.executable, '-m', 'jupyterhub', '-f',
         str(CONFIG / 'jupyterhub_config.py')], cwd=state,
        env={**os.environ, **env, 'PATH': path}, stdout=log,
        stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f'{url}/hub/api', timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail('the hub did not start:\n'
                            + (tmp / 'hub.log').read_text()[-3000:])
            time.sleep(0.5)
        yield url, {**env, 'JUPYTER_CONFIG_PATH': str(CONFIG)}, tmp
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Student:
    """A student's browser session: log in, then call their server."""

    def __init__(self, url, name, password=PASSWORD):
        self.url, self.name = url, name
        self.session = requests.Session()
        self.session.get(f'{url}/hub/login').raise_for_status()
        xsrf = self.session.cookies.get('_xsrf')
        r = self.session.post(f'{url}/hub/login', allow_redirects=False,
                              data={'username': name, 'password': password,
                                    '_xsrf': xsrf})
        self.logged_in = r.status_code == 302
        if not self.logged_in:
            return
        # a token for the API, as JupyterHub's token page makes one (the
        # page sets the xsrf cookie of the logged-in session)
        self.session.get(f'{url}/hub/token').raise_for_status()
        xsrf = self.session.cookies.get('_xsrf', path='/hub/')
        r = self.session.post(f'{url}/hub/api/users/{name}/tokens',
                              headers={'X-XSRFToken': xsrf},
                              json={'note': 'course test'})
        r.raise_for_status()
        self.auth = {'Authorization': f'token {r.json()["token"]}'}

    def start(self):
        r = requests.post(f'{self.url}/hub/api/users/{self.name}/server',
                          headers=self.auth)
        assert r.status_code in (201, 202), r.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            user = requests.get(f'{self.url}/hub/api/users/{self.name}',
                                headers=self.auth).json()
            if user['servers'].get('', {}).get('ready'):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server did not start")

    def server(self, method, path, **kwargs):
        """A request to this student's server, through the proxy."""
        return requests.request(
            method, f'{self.url}/user/{self.name}/{path}',
            headers=self.auth, timeout=120, **kwargs)

    def assignments(self, action=None, name=None):
        """nbgrader's Assignments tab: list, fetch, submit,
        fetch_feedback. Returns the list of assignments it answers."""
        if action is None:
            r = self.server('GET', 'assignments',
                            params={'course_id': 'cnnbook'})
        else:
            r = self.server('POST', f'assignments/{action}',
                            data={'course_id': 'cnnbook',
                                  'assignment_id': name})
        r.raise_for_status()
        answer = r.json()
        assert answer['success'], answer
        return answer['value']

    def read(self, name):
        r = self.server('GET', f'api/contents/{name}/{name}.ipynb')
        r.raise_for_status()
        return nbformat.from_dict(r.json()['content'])

    def write(self, name, nb):
        r = self.server('PUT', f'api/contents/{name}/{name}.ipynb',
                        json={'type': 'notebook', 'content': nb})
        r.raise_for_status()


def source(name):
    return nbformat.read(BOOK / f'{name}.ipynb', as_version=4)


def work(student, name):
    """What each student does to the fetched chapter; returns the
    notebook they submit, and a note for the checks."""
    nb = student.read(name)
    if student.name == 'alice':
        return fill(nb, ALTERNATIVE[name]), {}
    if student.name == 'bob':
        return nb, {}
    nb = fill(nb, book_answers(source(name)))
    if student.name == 'carol':
        nb, deleted, copied = damage(nb)
        return nb, {'deleted': deleted, 'copied': copied}
    return nb, {}


@pytest.fixture(scope='module')
def term(hub):
    """The whole term; returns what the checks read."""
    url, env, tmp = hub
    course = tmp / 'course'
    make_course(course)
    teacher = lambda *args, **kw: nbgrader(  # noqa: E731
        course, *args, env={**env, **kw})
    names = chapters()
    for name in names:
        teacher('release_assignment', name)
    students = {name: Student(url, name) for name in STUDENTS}
    handed = {}
    for student in students.values():
        assert student.logged_in, student.name
        student.start()
        listed = student.assignments()
        assert sorted(a['assignment_id'] for a in listed
                      if a['status'] == 'released') == names
        for name in names:
            student.assignments('fetch', name)
    for who in ON_TIME + ['dave']:
        student = students[who]
        if who == 'dave':
            # the deadline passes: the instructor sets it to now
            due = datetime.datetime.now(datetime.timezone.utc)
            for name in names:
                teacher('db', 'assignment', 'add', name,
                        f'--duedate={due.isoformat()}')
            time.sleep(1)
        for name in (FEW if who in ('carol', 'dave') else names):
            nb, note = work(student, name)
            student.write(name, nb)
            student.assignments('submit', name)
            handed[who, name] = (nb, note)
    timings = {}
    for name in names:
        teacher('collect', name)
        start = time.monotonic()
        teacher('autograde', name, '--create', CNNBOOK_PROFILE='smoke')
        timings[name] = time.monotonic() - start
        teacher('generate_feedback', name)
        teacher('release_feedback', name)
    for who, student in students.items():
        for name in (FEW if who in ('carol', 'dave') else names):
            student.assignments('fetch_feedback', name)
    teacher('export')
    with open(course / 'grades.csv') as f:
        grades = list(csv.DictReader(f))
    return dict(course=course, tmp=tmp, students=students,
                handed=handed, grades=grades, timings=timings,
                url=url, env=env)


def scores(term, who, name):
    from nbgrader.api import Gradebook
    db = f'sqlite:///{term["course"] / "gradebook.db"}'
    with Gradebook(db) as gb:
        nb = gb.find_submission_notebook(name, name, who)
        return {g.name: (g.score, g.max_score) for g in nb.grades
                if g.cell.cell_type == 'code'}


def points(name):
    return {nbgrader_meta(c)['grade_id']: float(nbgrader_meta(c)['points'])
            for c in source(name).cells if is_test(c)}


@pytest.mark.parametrize('name', chapters())
def test_alternative_answers_get_full_marks(term, name):
    assert scores(term, 'alice', name) == {
        k: (v, v) for k, v in points(name).items()}


@pytest.mark.parametrize('name', chapters())
def test_the_untouched_release_gets_zero(term, name):
    assert scores(term, 'bob', name) == {
        k: (0.0, v) for k, v in points(name).items()}


@pytest.mark.parametrize('name', FEW)
def test_a_damaged_notebook_is_graded_whole(term, name):
    """The deleted test is put back and graded, the pasted cell counted
    once, and the feedback says what nbgrader did."""
    assert scores(term, 'carol', name) == {
        k: (v, v) for k, v in points(name).items()}
    deleted = term['handed']['carol', name][1]['deleted']
    page = (term['course'] / 'feedback' / 'carol' / name /
            f'{name}.html').read_text()
    assert f'This cell (id:{deleted}) was missing from the submission' \
        in page


@pytest.mark.parametrize('name', FEW)
def test_lateness_is_recorded(term, name):
    rows = {(r['student_id'], r['assignment']): r for r in term['grades']}
    late = rows['dave', name]
    assert late['timestamp'] > late['duedate']
    assert float(late['raw_score']) == sum(points(name).values())
    for who in ON_TIME:
        assert rows[who, name]['timestamp'] <= rows[who, name]['duedate']
    from nbgrader.api import Gradebook
    db = f'sqlite:///{term["course"] / "gradebook.db"}'
    with Gradebook(db) as gb:
        assert gb.find_submission(name, 'dave').total_seconds_late > 0
        for who in ON_TIME:
            assert gb.find_submission(name, who).total_seconds_late == 0


def test_the_csv_holds_every_student_and_chapter(term):
    rows = {(r['student_id'], r['assignment']): r for r in term['grades']}
    assert set(rows) == {(s, n) for s in STUDENTS for n in chapters()}
    for (who, name), row in rows.items():
        handed = (who, name) in term['handed']
        assert bool(row['timestamp']) == handed, (who, name)


def test_nothing_is_lost(term):
    """Every submission reached the gradebook as the student sent it."""
    for (who, name), (nb, _) in term['handed'].items():
        got = nbformat.read(term['course'] / 'submitted' / who / name /
                            f'{name}.ipynb', as_version=4)
        assert [c.source for c in got.cells] == \
            [c.source for c in nb.cells], (who, name)


def test_each_student_fetched_only_their_feedback(term):
    homes = term['tmp'] / 'home'
    for (who, name) in term['handed']:
        pages = list((homes / who / name / 'feedback').glob(
            f'*/{name}.html'))
        assert len(pages) == 1, (who, name, pages)
        teacher = (term['course'] / 'feedback' / who / name /
                   f'{name}.html').read_text()
        assert pages[0].read_text() == teacher
    # no one else's pages: a feedback page names its student's scores,
    # so it is enough that each home holds exactly its own
    for who in STUDENTS:
        got = sorted(p.parent.parent.parent.name for p in
                     (homes / who).glob('*/feedback/*/*.html'))
        want = sorted(n for w, n in term['handed'] if w == who)
        assert got == want, who


def test_a_student_cannot_reach_another_server(term):
    alice, bob = term['students']['alice'], term['students']['bob']
    r = requests.get(f'{term["url"]}/user/bob/api/contents',
                     headers=alice.auth, allow_redirects=False)
    assert r.status_code in (302, 403, 404), r.status_code
    assert 'content' not in r.text
    r = requests.post(f'{term["url"]}/user/bob/assignments/fetch_feedback',
                      headers=alice.auth, allow_redirects=False,
                      data={'course_id': 'cnnbook',
                            'assignment_id': 'nin'})
    assert r.status_code in (302, 403, 404), r.status_code
    # their own server still answers them
    assert bob.server('GET', 'api/contents').ok


def test_a_wrong_password_is_refused(hub):
    url, _, _ = hub
    assert not Student(url, 'alice', password='not-the-password').logged_in
    assert not Student(url, 'mallory').logged_in


def test_the_exchange_hides_submissions_and_feedback(term):
    """What nbgrader's exchange does against other OS users: students may
    drop submissions into inbound and read feedback by its secret name,
    but list neither folder."""
    course = term['tmp'] / 'exchange' / 'cnnbook'
    for folder in ('inbound', 'feedback'):
        mode = (course / folder).stat().st_mode & 0o777
        assert not mode & 0o004, (folder, oct(mode))   # no listing
        assert mode & 0o001, (folder, oct(mode))       # but passing
    # each submission's folder names its student and carries a secret
    inbound = sorted(p.name.split('+')[0] for p in
                     (course / 'inbound').iterdir())
    assert sorted(set(inbound)) == STUDENTS
    assert len(inbound) == len(term['handed'])
