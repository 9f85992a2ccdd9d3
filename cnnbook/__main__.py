"""``python -m cnnbook``: verify Fashion-MNIST, downloading it if absent.

``python -m cnnbook --where`` only says whether a copy is found.
"""
import sys

from .data import main

sys.exit(main())
