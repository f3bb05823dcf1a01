"""``portal-client``: start the desktop client.

Only argparse, the settings and Qt load before the sign-in window paints; see
``bench/startup.py`` for the budget this keeps.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from portal_client import __version__

    parser = argparse.ArgumentParser(
        prog="portal-client", description="Prescriber portal of the IV-nutrition pharmacy."
    )
    parser.add_argument("--version", action="version", version=f"portal-client {__version__}")
    parser.add_argument(
        "--server-url", metavar="URL", help="pharmacy server address (remembered for next time)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo pharmacy server with demo accounts (its address is never "
        "saved as your server)",
    )
    parser.add_argument(
        "--profile-dir",
        "--temp-basedir",  # the earlier name, kept for scripts that use it
        dest="profile_dir",
        metavar="DIR",
        type=Path,
        help="keep settings, data and logs under DIR instead of the user's folders",
    )
    parser.add_argument(
        "--quit-after-paint",
        action="store_true",
        help="exit once the sign-in window has painted, printing a line that says so (smoke tests)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    from portal_client.core import logs, paths
    from portal_client.core.settings import load_settings, normalize_server_url, save_settings

    logs.configure_early_logging()
    if args.profile_dir is not None:
        paths.set_base_dir(args.profile_dir)
    settings = load_settings()
    if args.server_url:
        try:
            settings.server_url = normalize_server_url(args.server_url)
        except ValueError as error:
            print(f"portal-client: --server-url: {error}", file=sys.stderr)  # noqa: T201
            return 2
        save_settings(settings)

    # Pure modules the sign-in window needs are imported before PySide6 on purpose:
    # once PySide6 is loaded, its import hook reads the source of every newly
    # imported module (to look for ``__feature__`` use), costing milliseconds each.
    import portal_client.core.errors  # noqa: F401
    from portal_client.gui.app import run

    return run(settings, demo=args.demo, quit_after_paint=args.quit_after_paint)


if __name__ == "__main__":
    sys.exit(main())
