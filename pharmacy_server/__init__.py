"""The pharmacy's server: the prescriber portal's API over one SQLite or PostgreSQL database."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed release, answered by ``/healthz`` (the client's About shows it).
    __version__ = version("iv-prescriber-portal")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
