"""Entry point: ``python render.py [--course DIR] [--out DIR] COMMAND``.

Run with a Python that lacks coursepack's libraries, it hands over to the project's ``.venv``
(made by ``make packet``), or says in one sentence how to make it.
"""

import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parent / ".venv" / "bin" / "python"

if __name__ == "__main__":
    try:
        from coursepack.cli import main
    except ModuleNotFoundError as missing:
        if VENV_PYTHON.is_file() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])
        sys.exit(
            f"coursepack: error: this Python ({sys.executable}) lacks '{missing.name}': "
            "run 'make packet' once in this folder (it sets up .venv), then run this command again"
        )
    sys.exit(main())
