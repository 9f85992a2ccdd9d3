"""``python -m cnnbook``: verify Fashion-MNIST, downloading it if absent.

``python -m cnnbook --where`` only says whether a copy is found.
``python -m cnnbook stamp BUILD`` and ``python -m cnnbook student BUILD``
are the Makefile's site steps (cnnbook/website.py).
``python -m cnnbook course DIR`` makes an nbgrader course folder
(cnnbook/course.py).
"""
import sys

if sys.argv[1:2] == ['course']:
    from .course import main
    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] in (['stamp'], ['student']):
    from .website import main
else:
    from .data import main

sys.exit(main())
