"""``python -m cnnbook``: verify Fashion-MNIST, downloading it if absent.

``python -m cnnbook --where`` only says whether a copy is found.
``python -m cnnbook stamp BUILD`` and ``python -m cnnbook student BUILD``
are the Makefile's site steps (cnnbook/website.py).
"""
import sys

if sys.argv[1:2] in (['stamp'], ['student']):
    from .website import main
else:
    from .data import main

sys.exit(main())
