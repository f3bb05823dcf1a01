"""Is this address a pharmacy server this client can talk to? Asked before saving it.

``check_server`` blocks on the network: run it off the GUI thread. It answers with the
server's health, or raises ``ServerCheckFailed`` whose ``problem`` says which of the
four things went wrong and whose text says it to the user.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from portal_client.core.errors import (
    ApiError,
    OutcomeUnknown,
    PortalError,
    ServerUnreachable,
    TlsFailure,
    UnreadableAnswer,
)
from portal_client.core.i18n import translate

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.wire import HealthWire

#: The server API generations this client speaks (``HealthOut.api_version``).
SUPPORTED_API_VERSIONS = frozenset({1})
#: A first answer should come quickly; a slow link is still better than none.
CHECK_CONNECT_TIMEOUT_S = 5.0
CHECK_READ_TIMEOUT_S = 10.0


class ServerProblem(enum.Enum):
    UNREACHABLE = "unreachable"
    TLS = "tls"
    NOT_A_PHARMACY_SERVER = "not_a_pharmacy_server"
    INCOMPATIBLE = "incompatible"


class ServerCheckFailed(PortalError):
    def __init__(self, problem: ServerProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def _default_client(url: str, ca_bundle: str | None) -> ApiClient:
    from portal_client.core.api_client import ApiClient

    return ApiClient(
        url,
        connect_timeout=CHECK_CONNECT_TIMEOUT_S,
        read_timeout=CHECK_READ_TIMEOUT_S,
        ca_bundle=ca_bundle,
    )


def check_server(
    url: str,
    *,
    ca_bundle: str | None = None,
    client_factory: Callable[[str, str | None], ApiClient] = _default_client,
) -> HealthWire:
    """The health of the server at ``url`` (normalized), if it is one we can use."""
    client = client_factory(url, ca_bundle)
    try:
        health = client.health()
    except TlsFailure as error:
        raise ServerCheckFailed(ServerProblem.TLS, str(error)) from error
    except (ServerUnreachable, OutcomeUnknown) as error:
        raise ServerCheckFailed(
            ServerProblem.UNREACHABLE,
            translate(
                "ServerCheck",
                "Nothing answers at {url}. Check the address (and the port), and that "
                "this computer can reach the pharmacy's network.",
            ).format(url=url),
        ) from error
    except (ApiError, UnreadableAnswer) as error:
        raise ServerCheckFailed(
            ServerProblem.NOT_A_PHARMACY_SERVER,
            translate(
                "ServerCheck",
                "{url} answers, but it is not a pharmacy server (or one too old for "
                "this portal). Check the address with the pharmacy.",
            ).format(url=url),
        ) from error
    except PortalError as error:  # a CA bundle that cannot be read, say
        raise ServerCheckFailed(ServerProblem.TLS, str(error)) from error
    finally:
        client.close()
    if health.api_version not in SUPPORTED_API_VERSIONS:
        raise ServerCheckFailed(
            ServerProblem.INCOMPATIBLE,
            translate(
                "ServerCheck",
                "The pharmacy server at {url} speaks API version {api_version}; this "
                "portal speaks version {supported}. Install the portal version the pharmacy "
                "recommends.",
            ).format(
                url=url,
                api_version=health.api_version,
                supported=", ".join(map(str, sorted(SUPPORTED_API_VERSIONS))),
            ),
        )
    return health
