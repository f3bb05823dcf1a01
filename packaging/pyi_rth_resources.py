"""PyInstaller runtime hook: point the resource loader at the bundled data folder."""

import os
import sys

os.environ.setdefault("PORTAL_RESOURCES_DIR", os.path.join(sys._MEIPASS, "resources"))
