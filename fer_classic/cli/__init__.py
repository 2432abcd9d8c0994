"""The ``fer-classic`` command line: parsing and printing only.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and
``run(args) -> int``; the work is done by one library function that a notebook
user can call too.
"""
