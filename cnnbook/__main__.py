"""``python -m cnnbook``: the data check and the Makefile's site steps.

``python -m cnnbook``               verify Fashion-MNIST, downloading it if
                                    no copy is found (cnnbook/data.py);
``python -m cnnbook --where``       only say whether a copy is found;
``python -m cnnbook stamp BUILD``   and ``student BUILD``: the site's
                                    build steps (cnnbook/build.py).
``python -m cnnbook course DIR``    an nbgrader course folder in DIR
                                    (cnnbook/course.py).
"""
import argparse
import sys


def parser():
    """The command line, with argparse's help and usage errors."""
    p = argparse.ArgumentParser(
        prog='python -m cnnbook',
        description='Without a command: verify Fashion-MNIST, downloading '
                    'it if no copy is found.')
    p.add_argument('--where', action='store_true',
                   help='say where Fashion-MNIST is (exit status 1: nowhere); '
                        'download nothing')
    commands = p.add_subparsers(dest='command', metavar='COMMAND')
    for name, text in (
            ('stamp', 'clear BUILD/.jupyter_cache when the profile or the '
                      'cnnbook library changed'),
            ('student', 'write the student notebooks and the site without '
                        'solutions under BUILD/student')):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument('build', metavar='BUILD',
                             help='the build folder, e.g. _build')
    course = commands.add_parser(
        'course', help='make an nbgrader course folder in DIR',
        description='make an nbgrader course folder in DIR: its '
                    'nbgrader_config.py, the chapters as assignments and '
                    'their releases')
    course.add_argument('dir', metavar='DIR')
    return p


def main(argv=None):
    """Run the command line; return the exit status."""
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        from .data import main as check_data
        return check_data(where=args.where)
    if args.where:
        p.error('--where goes without a command')
    if args.command == 'course':
        from .course import main as make_course
        return make_course(args.dir)
    from .build import main as build_step
    return build_step(args.command, args.build)


if __name__ == '__main__':
    sys.exit(main())
