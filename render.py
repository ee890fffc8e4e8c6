"""Entry point: ``python render.py [--course DIR] [--out DIR] COMMAND``."""

import sys

from coursepack.cli import main

if __name__ == "__main__":
    sys.exit(main())
