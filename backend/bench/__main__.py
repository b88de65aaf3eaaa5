"""``python -m backend.bench resolve ...`` runs ``voicecart bench resolve ...`` without the console script."""

import sys

from backend.bench.cli import main

sys.exit(main(sys.argv[1:]))
