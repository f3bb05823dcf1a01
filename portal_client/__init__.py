"""Desktop client of the pharmacy's prescriber portal.

``core`` holds everything that runs without Qt (HTTP, settings, local stores);
``gui`` is the only package that imports PySide6.
"""

__version__ = "0.1.0"
APP_NAME = "IV Prescriber Portal"
APP_ID = "iv-prescriber-portal"
APP_AUTHOR = "CompoundingPharmacy"
#: Reverse-DNS id: the desktop entry, the AppStream file and the macOS bundle carry it too.
DESKTOP_ID = "org.compoundingpharmacy.PortalClient"
