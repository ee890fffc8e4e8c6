"""The ``coursepack`` command (and ``python -m coursepack``): the CLI, or one sentence if it cannot start."""

from __future__ import annotations

import sys

from .environment import MissingLibraries, check_before_weasyprint


def main() -> int:
    """Run the CLI; when a library WeasyPrint draws with is missing, say so and how to install it."""
    check_before_weasyprint()
    try:
        from .cli import main as cli
    except MissingLibraries as missing:  # raised as the CLI's modules import WeasyPrint (later, cli.main says it)
        print(f"coursepack: error: {missing}", file=sys.stderr)
        return 1
    return cli()


if __name__ == "__main__":
    sys.exit(main())
