"""``python -m pharmacy_server``."""

from pharmacy_server.cli import main

raise SystemExit(main())
