"""What the course's nbgrader configuration adds to autograding.

course/nbgrader_config.py puts :class:`DeduplicateIdsFully` in place of
nbgrader's DeduplicateIds.
"""
from nbgrader.preprocessors import DeduplicateIds


class DeduplicateIdsFully(DeduplicateIds):
    """nbgrader's DeduplicateIds, then the emptied metadata removed.

    DeduplicateIds keeps the last copy of a cell pasted with its grade_id
    (jupyter/nbgrader #1083) and leaves the others an empty ``nbgrader``
    entry; nbgrader 0.9.6's OverwriteCells with ``add_missing_cells``
    then reads a grade_id from every cell with that entry and stops the
    notebook with ``KeyError: 'grade_id'``. Without the entry the copies
    are plain cells, as nbgrader means them to be.
    """

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.metadata.get('nbgrader') == {}:
                del cell.metadata['nbgrader']
        return nb, resources
