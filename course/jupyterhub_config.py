# JupyterHub for the course, as nbtests/test_hub.py runs it: every student
# logs in with the course's shared password and gets a Jupyter server of
# their own, in a home folder of their own, where nbgrader's Assignments
# tab (its REST handlers) fetches, submits and fetches feedback through
# the exchange. Start it from this folder's parent with
#   CNNBOOK_HUB_PASSWORD=... jupyterhub -f course/jupyterhub_config.py
# The settings come from the environment so that a test (or a second
# course on the same machine) can run it on free ports; the defaults
# are JupyterHub's own.
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
here = Path(__file__).resolve().parent
env = os.environ.get

# --- network: localhost only; a real course puts HTTPS in front ---
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = int(env('CNNBOOK_HUB_PORT', '8000'))
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = int(env('CNNBOOK_HUB_API_PORT', '8081'))
# configurable-http-proxy from npm, pinned in js/package-lock.json
# (`npm ci --prefix js` installs it)
c.ConfigurableHTTPProxy.command = [env(
    'CNNBOOK_CHP', str(here.parent / 'js/node_modules/.bin/'
                       'configurable-http-proxy'))]
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{env('CNNBOOK_PROXY_API_PORT', '8001')}")

# --- who may log in: the class list and one shared password ---
# SharedPasswordAuthenticator (JupyterHub 5) needs no outside service.
# Replace it by your institution's (OAuthenticator, LDAP) for a real
# class: a shared password proves membership of the class, not identity.
c.JupyterHub.authenticator_class = 'shared-password'
c.SharedPasswordAuthenticator.user_password = env('CNNBOOK_HUB_PASSWORD')
c.Authenticator.allowed_users = set(
    filter(None, env('CNNBOOK_STUDENTS', '').split(',')))

# --- each student's server: a process on this machine ---
# SimpleLocalProcessSpawner runs every server as the OS user who runs the
# hub, each in its own home folder. It is what a test can run without
# creating system users; see book/instructors.md for what it does not
# isolate (LocalProcessSpawner with one system user per student, or Zero
# to JupyterHub's containers, do).
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(
    env('CNNBOOK_HOMES', '/srv/cnnbook/home'), '{username}')
# the book's environment: its Python runs the single-user server, and
# nbgrader's server extensions come with it (jupyter_server_config.d)
c.Spawner.cmd = [sys.executable, '-m', 'jupyterhub.singleuser']
if os.getuid() == 0:        # a container run as root
    c.Spawner.args = ['--allow-root']
# nbgrader reads this folder's nbgrader_config.py in every server:
# the exchange, the course, and who the student is
c.Spawner.environment = {
    'JUPYTER_CONFIG_PATH': str(here),
    'CNNBOOK_EXCHANGE': env('CNNBOOK_EXCHANGE', '/srv/nbgrader/exchange'),
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
