"""Entry point: ``python render.py [--course DIR] [--out DIR] COMMAND``.

Run with any Python 3, it hands over to the project's ``.venv`` (made by ``make packet``) when there is
one; without it, a Python lacking coursepack's libraries says in one sentence how to make it.
"""

import importlib.util
import os
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv"
VENV_PYTHON = VENV / "bin" / "python"

if __name__ == "__main__":
    if VENV_PYTHON.is_file() and Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])
    if importlib.util.find_spec("weasyprint") is None:
        sys.exit(
            f"coursepack: error: this Python ({sys.executable}) lacks 'weasyprint': "
            "run 'make packet' once in this folder (it sets up .venv), then run this command again"
        )
    from coursepack.__main__ import main

    sys.exit(main())
