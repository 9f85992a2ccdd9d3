# nbgrader's settings for the course on JupyterHub, read by every
# student's server (jupyterhub_config.py puts this folder on
# JUPYTER_CONFIG_PATH) and by the instructor's commands (run them with
# JUPYTER_CONFIG_PATH=course, beside the course folder's own
# nbgrader_config.py, which `make course` writes).
import os

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)

# The exchange: one folder that every server and the instructor can
# reach. nbgrader does not create it (jupyter/nbgrader #841, #1212):
# make it before the first release, writable by everyone with the
# sticky bit, as `install -d -m 1777` does.
c.Exchange.root = os.environ.get('CNNBOOK_EXCHANGE',
                                 '/srv/nbgrader/exchange')
c.CourseDirectory.course_id = 'cnnbook'

# Who submits. nbgrader names a submission after the OS user
# (nbgrader.utils.get_username); with SimpleLocalProcessSpawner every
# server runs as the same OS user, so each server names its student
# from the hub's JUPYTERHUB_USER instead. With one OS user per student
# (LocalProcessSpawner, or Zero to JupyterHub's image user "jovyan",
# for which nbgrader reads JUPYTERHUB_USER itself) this line is not
# needed.
if os.environ.get('JUPYTERHUB_USER'):
    c.CourseDirectory.student_id = os.environ['JUPYTERHUB_USER']

# The instructor's side. Collect warns when a submission's owner is not
# the student it names, which is every submission when all servers run
# as one OS user (see above); the check means something only with one
# OS user per student.
c.CollectApp.check_owner = False
# A student who deleted a test cell is graded with the cell put back
# (jupyter/nbgrader #1941); nbgrader marks it in the feedback. A cell
# copied with its grade_id (#1083) is graded once: nbgrader's
# DeduplicateIds keeps the last copy's metadata.
c.OverwriteCells.add_missing_cells = True
# nbgrader 0.9.6 stops on a notebook with both (a pasted cell, a deleted
# test: KeyError 'grade_id' in OverwriteCells); the book's
# DeduplicateIdsFully removes what trips it (cnnbook/grading.py).
from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput,  # noqa: E402
                                    OverwriteCells, OverwriteKernelspec)

from cnnbook.grading import DeduplicateIdsFully  # noqa: E402

c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIdsFully, OverwriteKernelspec, OverwriteCells,
    CheckCellMetadata]
