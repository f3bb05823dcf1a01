"""How the client trusts a pharmacy server's certificate.

The operating system's trust store (``truststore``: Windows' and macOS' own
verification, the system bundle on Linux), plus, for a pharmacy with its own
certificate authority, the CA bundle named in the settings. Verification is never
switched off. The context is given to one ``requests`` session's adapter only:
nothing in the process changes globally.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal_client.core.errors import PortalError, TlsFailure
from portal_client.core.i18n import translate

if TYPE_CHECKING:
    from requests.adapters import HTTPAdapter


class CaBundleUnusable(PortalError):
    """The CA bundle in the settings cannot be read as PEM certificates."""


def client_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """A verifying client context over the system trust store (and ``ca_bundle``)."""
    import truststore

    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle:
        path = Path(ca_bundle).expanduser()
        try:
            context.load_verify_locations(cafile=str(path))
        except (OSError, ssl.SSLError) as error:
            raise CaBundleUnusable(
                translate(
                    "Tls",
                    "The CA bundle {path} in the settings cannot be used ({error}). Ask "
                    "the pharmacy for its CA certificate file (PEM).",
                ).format(path=path, error=error)
            ) from error
    return context


def trusting_adapter(context: ssl.SSLContext, **adapter_options: Any) -> HTTPAdapter:
    """A ``requests`` adapter whose connections, direct or through a proxy, use ``context``."""
    from requests.adapters import HTTPAdapter

    class _TrustingAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["ssl_context"] = context
            super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            proxy_kwargs["ssl_context"] = context
            return super().proxy_manager_for(proxy, **proxy_kwargs)

    return _TrustingAdapter(**adapter_options)


def _tls_reason(error: Exception) -> str:
    """The innermost TLS error's words (``certificate verify failed: …``), not the chain."""
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLError):
            return str(getattr(cause, "verify_message", "") or cause.reason or cause)
        cause = (
            cause.__cause__
            or cause.__context__
            or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        )
    return translate("Tls", "TLS handshake failed")


def tls_failure(host: str, error: Exception) -> TlsFailure:
    """A failed handshake in words: a refused certificate, or no TLS at all there."""
    reason = _tls_reason(error)
    if "certificate" in reason.lower():
        return TlsFailure(
            translate(
                "Tls",
                "The connection to {host} is not secure: its certificate could not be "
                "verified ({reason}). Check the address; if the pharmacy uses its own "
                "certificate authority, set its CA bundle in the settings.",
            ).format(host=host, reason=reason)
        )
    return TlsFailure(
        translate(
            "Tls",
            "No secure connection could be set up with {host} ({reason}). Check "
            "the address: the server may not speak HTTPS on that port.",
        ).format(host=host, reason=reason)
    )
