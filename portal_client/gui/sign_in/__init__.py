"""The sign-in window (``window.SignInWindow``) and its parts (``parts``); the decisions
are ``portal_client.core.sign_in``'s. Imported before the first paint: keep it light."""

from portal_client.core.sign_in import NO_KEYRING_USERNAME_NOTICE, sign_in_error_text
from portal_client.gui.sign_in.memory import KeyStoreFactory
from portal_client.gui.sign_in.window import ClientFactory, SignInWindow

__all__ = [
    "NO_KEYRING_USERNAME_NOTICE",
    "ClientFactory",
    "KeyStoreFactory",
    "SignInWindow",
    "sign_in_error_text",
]
