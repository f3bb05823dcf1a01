"""The client's one door to the pharmacy server: JSON over HTTP with ``requests``.

Every call has a timeout, every failure becomes one of ``core.errors`` so the GUI
can tell the user what happened and whether trying again is safe. ``requests`` is
imported on first use: the sign-in window paints before it is needed.

Never retry a POST here. Submitting twice is only safe with the same
Idempotency-Key, and deciding that belongs to the caller (the outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from portal_client import __version__
from portal_client.core.catalog_calls import CatalogCalls
from portal_client.core.claim_calls import ClaimCalls
from portal_client.core.errors import (
    ApiError,
    InvalidCredentials,
    NotSignedIn,
    OutcomeUnknown,
    PortalError,
    ServerUnreachable,
    UnreadableAnswer,
)
from portal_client.core.favorite_calls import FavoriteCalls
from portal_client.core.i18n import translate
from portal_client.core.message_calls import MessageCalls
from portal_client.core.patient_calls import PatientCalls
from portal_client.core.request_ids import REQUEST_ID_HEADER, new_request_id
from portal_client.core.version_calls import VersionCalls
from portal_client.core.wire import (
    ClinicPrescriberPage,
    DraftPage,
    DraftWire,
    ErrorWire,
    HealthWire,
    LoginWire,
    PersonWire,
    PrescriptionPage,
    PrescriptionWire,
    SigningTokenWire,
    TemplatePage,
    UserWire,
    ValidationWire,
    parse,
)

if TYPE_CHECKING:
    import requests

    from pharmacy_domain.status import BeyondUse
    from pharmacy_domain.templates import Template

log = logging.getLogger(__name__)

#: The orders ``GET /prescriptions`` lists in (its ``sort``).
ListOrder = Literal["newest", "needed_by", "status", "prescriber"]

API_PREFIX = "/api/v1"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
USER_AGENT = f"IVPrescriberPortal/{__version__}"

W = TypeVar("W")


@dataclass(frozen=True)
class SignedInUser:
    id: str
    username: str
    role: str
    display_name: str
    clinic: str | None = None
    expires_at: str | None = None
    licence_expires_on: str | None = None  # prescribers: YYYY-MM-DD
    #: Enrolled in TOTP: signing then asks for a fresh code rather than the password.
    mfa_enrolled: bool = False

    @property
    def is_reviewer(self) -> bool:
        return self.role in ("pharmacist", "admin")

    @classmethod
    def from_wire(cls, user: UserWire, expires_at: str | None = None) -> SignedInUser:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name or user.username,
            clinic=user.clinic,
            expires_at=expires_at,
            licence_expires_on=user.licence_expires_on,
            mfa_enrolled=user.mfa_enrolled,
        )


@dataclass(frozen=True, repr=False)
class SigningGrant:
    """A step-up's answer: a single-use token bound to one body hash. Never log it."""

    signing_token: str
    expires_at: str | None

    def __repr__(self) -> str:
        return f"SigningGrant(expires_at={self.expires_at!r})"

    @classmethod
    def from_wire(cls, answer: SigningTokenWire) -> SigningGrant:
        return cls(answer.signing_token, answer.expires_at)


@dataclass(frozen=True)
class Page:
    """One page of prescriptions (or every page joined)."""

    items: tuple[PrescriptionWire, ...] = ()
    total: int = 0
    next_cursor: str | None = None
    #: More than ``total`` match (the server counts no further than 1,000).
    total_is_lower_bound: bool = False
    #: Where a refresh asks for what changed since (``changed_since``).
    changes_cursor: str | None = None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough that "later" is a fine answer


def _request_id_of(response: requests.Response) -> str | None:
    """The id the server answered with, else the one this client sent."""
    returned = response.headers.get(REQUEST_ID_HEADER)
    if returned:
        return str(returned)[:64]
    sent = response.request.headers.get(REQUEST_ID_HEADER) if response.request else None
    return str(sent) if sent else None


class ApiClient(CatalogCalls, ClaimCalls, FavoriteCalls, MessageCalls, PatientCalls, VersionCalls):
    """A signed-in (or signing-in) conversation with one server, for one user.

    One ``requests.Session`` per client object: connection reuse, the User-Agent and
    the bearer token live there. The token is kept in memory only.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        ca_bundle: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        #: A pharmacy's private CA (PEM), trusted beside the system's store.
        self.ca_bundle = ca_bundle
        self._session: requests.Session | None = None
        self._token: str | None = None
        self.user: SignedInUser | None = None

    # ------------------------------------------------------------- plumbing

    def _http(self) -> requests.Session:
        if self._session is None:
            import requests
            from urllib3.util.retry import Retry

            from portal_client.core.tls import client_ssl_context, trusting_adapter

            session = requests.Session()  # trust_env: proxies from HTTPS_PROXY and friends
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept"] = "application/json"
            # Reads may be retried a little: they change nothing. urllib3 never
            # retries a POST on read errors or status codes (allowed_methods
            # excludes it), and connect=0 keeps even pre-send POST retries out of
            # this layer, as the outbox owns resending.
            retry = Retry(
                total=2,
                connect=0,
                read=1,
                status=2,
                backoff_factor=0.25,
                status_forcelist=(502, 503, 504),  # proxy/gateway hiccups, overload
                respect_retry_after_header=True,
                raise_on_status=False,
            )
            adapter = trusting_adapter(client_ssl_context(self.ca_bundle), max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session
        return self._session

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        expect_auth: bool = True,
        prefix: str = API_PREFIX,
        raw_answer: bool = False,
    ) -> Any:
        """``raw_answer``: a success's body as bytes (a document), not decoded JSON."""
        import requests

        all_headers = dict(headers or {})
        all_headers[REQUEST_ID_HEADER] = new_request_id()
        if self._token:
            all_headers["Authorization"] = f"Bearer {self._token}"
        elif expect_auth:
            raise NotSignedIn(translate("ApiClient", "You are not signed in."))
        url = f"{self.base_url}{prefix}{path}"
        try:
            response = self._http().request(
                method,
                url,
                json=json_body,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=all_headers,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise self._transport_error(error) from error
        if raw_answer and response.status_code < 400:
            return response.content
        return self._decode(response)

    def _transport_error(self, error: Exception) -> PortalError:
        """Sort a transport failure into "nothing was sent" versus "maybe it arrived"."""
        import requests
        from urllib3.exceptions import (
            ConnectTimeoutError,
            NameResolutionError,
            NewConnectionError,
        )

        host = self.base_url
        unreachable = ServerUnreachable(
            translate(
                "ApiClient",
                "Cannot reach the pharmacy server at {host}. Check the network "
                "connection and the server address, then try again.",
            ).format(host=host)
        )
        if isinstance(error, requests.exceptions.SSLError):
            from portal_client.core.tls import tls_failure

            return tls_failure(host, error)
        if isinstance(error, requests.ConnectTimeout):
            return unreachable
        if isinstance(error, requests.Timeout):
            return OutcomeUnknown(
                translate(
                    "ApiClient",
                    "The pharmacy server did not answer in time. The request may or may "
                    "not have been received.",
                )
            )
        if isinstance(error, requests.ConnectionError):
            # requests wraps the urllib3 cause; only a failure to *open* the
            # connection proves that nothing was sent.
            cause: BaseException | None = error.args[0] if error.args else None
            reason = getattr(cause, "reason", cause)
            if isinstance(reason, NewConnectionError | NameResolutionError | ConnectTimeoutError):
                return unreachable
            return OutcomeUnknown(
                translate(
                    "ApiClient",
                    "The connection to the pharmacy server broke before it answered. The "
                    "request may or may not have been received.",
                )
            )
        return OutcomeUnknown(
            translate("ApiClient", "Unexpected network problem: {name}").format(
                name=error.__class__.__name__
            )
        )

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = None
        if response.status_code < 400:
            if body is None and response.content:
                raise ApiError(
                    response.status_code,
                    translate("ApiClient", "The server sent an unreadable answer."),
                    request_id=_request_id_of(response),
                )
            return body
        answer = _error_answer(body)
        detail = "" if answer is None else answer.detail
        field_errors = [] if answer is None or answer.errors is None else list(answer.errors)
        if response.status_code == 401:
            raise NotSignedIn(
                detail or translate("ApiClient", "Your session has ended. Please sign in again."),
                answer=answer,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        if not detail:
            detail = {
                403: "You are not allowed to do this.",
                404: "Not found. It may have been removed.",
                409: "This conflicts with a change made elsewhere; refresh and try again.",
                429: "Too many requests; wait a moment and try again.",
            }.get(response.status_code, f"The server reported an error ({response.status_code}).")
        raise ApiError(
            status=response.status_code,
            message=detail,
            field_errors=field_errors,
            answer=answer,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            request_id=_request_id_of(response),
        )

    # ------------------------------------------------- hooks for core.accounts

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
    ) -> Any:
        """One call under ``/api/v1`` with the same timeouts and errors as every other."""
        return self._request(
            method, path, json_body=json_body, params=params, expect_auth=authenticated
        )

    def request_bytes(self, path: str) -> bytes:
        """A GET under ``/api/v1`` whose answer is bytes (a document), with the same
        timeouts and errors as every other call."""
        body = self._request(
            "GET", path, headers={"Accept": "application/octet-stream, */*"}, raw_answer=True
        )
        assert isinstance(body, bytes)
        return body

    def read(
        self,
        answer: type[W],
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
    ) -> W:
        """``request`` whose answer must be an ``answer`` (a ``core.wire`` type)."""
        return parse(
            answer,
            self.request(
                method, path, json_body=json_body, params=params, authenticated=authenticated
            ),
        )

    def adopt_session(self, answer: LoginWire) -> SignedInUser:
        """Use the session of a sign-in answer."""
        self._token = answer.token
        self.user = SignedInUser.from_wire(answer.user, answer.expires_at)
        return self.user

    # ------------------------------------------------------------- session

    def health(self) -> HealthWire:
        """``GET /healthz`` (outside ``/api/v1``): alive, and what kind of server."""
        return parse(HealthWire, self._request("GET", "/healthz", expect_auth=False, prefix=""))

    @property
    def signed_in(self) -> bool:
        return self._token is not None

    def login(self, username: str, password: str) -> SignedInUser:
        try:
            body = self._request(
                "POST",
                "/auth/login",
                json_body={"username": username, "password": password},
                expect_auth=False,
            )
        except NotSignedIn as error:
            raise InvalidCredentials(
                translate(
                    "ApiClient", "The user name or password is not right. Check them and try again."
                )
            ) from error
        return self.adopt_session(parse(LoginWire, body))

    def logout(self) -> None:
        """End the session on the server (best effort) and forget it here (always)."""
        try:
            if self._token:
                self._request("POST", "/auth/logout")
        except PortalError as error:
            log.info("Server-side logout failed (%s); forgetting the token anyway", type(error))
        finally:
            self._token = None
            self.user = None
            self.close()

    def server_version(self) -> str:
        """The server's release, from ``/healthz`` (no sign-in needed). Blocks: run it in
        the background."""
        return self.health().version

    def me(self) -> SignedInUser:
        return SignedInUser.from_wire(parse(UserWire, self._request("GET", "/auth/me")))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # ------------------------------------------------------------- data

    def templates(self) -> list[Template]:
        from pharmacy_domain.templates import template_from_dict

        result: list[Template] = []
        cursor: str | None = None
        while True:
            page = parse(
                TemplatePage, self._request("GET", "/templates", params={"cursor": cursor})
            )
            result.extend(template_from_dict(item) for item in page.items)
            cursor = page.next_cursor
            if not cursor:
                return result

    def template_version(self, template_id: str, version: int) -> Template:
        """One published version of a template (a repeat compares it with the newest)."""
        from urllib.parse import quote

        from pharmacy_domain.templates import template_from_dict

        answer = self._request(
            "GET", f"/templates/{quote(template_id, safe='')}/versions/{int(version)}"
        )
        if not isinstance(answer, dict):
            raise UnreadableAnswer("template")
        try:
            return template_from_dict(answer)
        except ValueError as error:
            raise UnreadableAnswer("template") from error

    def submit_prescription(self, body: dict[str, Any], idempotency_key: str) -> PrescriptionWire:
        """POST one prescription. Sending the same key again returns the first answer."""
        answer = self._request(
            "POST", "/prescriptions", json_body=body, headers={"Idempotency-Key": idempotency_key}
        )
        return _prescription(answer)

    def validate_prescription(self, body: dict[str, Any]) -> ValidationWire:
        """The pharmacy's own checks of ``body``; stores nothing (a 422 lists field errors)."""
        answer = self._request("POST", "/prescriptions/validate", json_body=body)
        return parse(ValidationWire, answer)

    def find_by_idempotency_key(self, key: str) -> PrescriptionWire | None:
        """The caller's prescription submitted with ``key``, or ``None`` if it never arrived."""
        page = self.list_prescriptions(idempotency_key=key, limit=1)
        return page.items[0] if page.items else None

    def list_prescriptions(
        self,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
        *,
        idempotency_key: str | None = None,
        sort: ListOrder = "newest",
        has_warnings: bool | None = None,
        answered: bool | None = None,
        changed_since: str | None = None,
        search: str | None = None,
    ) -> Page:
        """``sort``: ``newest`` first, ``needed_by`` (the soonest needed first), ``status``
        or ``prescriber``. ``changed_since`` (a ``changes_cursor``): only what changed.
        ``search``: a reference, or the start of the patient's name (patient data: it
        goes as the query's ``q``, which the server never logs; never log it here)."""
        body = self._request(
            "GET",
            "/prescriptions",
            params={
                "status": status,
                "cursor": cursor,
                "limit": limit,
                "idempotency_key": idempotency_key,
                "sort": None if sort == "newest" else sort,
                "has_warnings": None if has_warnings is None else str(has_warnings).lower(),
                "answered": None if answered is None else str(answered).lower(),
                "changed_since": changed_since,
                "q": (search or "").strip() or None,
            },
        )
        page = parse(PrescriptionPage, body)
        items = tuple(_readable_body(item) for item in page.items)
        return Page(
            items=items,
            total=page.total,
            next_cursor=page.next_cursor,
            total_is_lower_bound=page.total_is_lower_bound,
            changes_cursor=page.changes_cursor,
        )

    def all_prescriptions(
        self, status: str | None = None, page_size: int = 100, *, sort: ListOrder = "newest"
    ) -> Page:
        """Every page of ``list_prescriptions`` joined (the lists here stay small)."""
        items: list[PrescriptionWire] = []
        cursor: str | None = None
        total = 0
        for _ in range(100):  # a runaway cursor must not hang a worker thread forever
            page = self.list_prescriptions(status=status, cursor=cursor, limit=page_size, sort=sort)
            items.extend(page.items)
            total = page.total
            cursor = page.next_cursor
            if not cursor:
                break
        return Page(items=tuple(items), total=max(total, len(items)), next_cursor=None)

    def get_prescription(self, prescription_id: str) -> PrescriptionWire:
        return _prescription(self._request("GET", f"/prescriptions/{prescription_id}"))

    def step_up(
        self, content_sha256: str, *, password: str | None = None, otp: str | None = None
    ) -> SigningGrant:
        """Prove again who is signing (password, or a fresh TOTP code) for one body hash.

        A wrong password or code is an ``ApiError`` with status 403.
        """
        request: dict[str, Any] = {"content_sha256": content_sha256}
        if otp is not None:
            request["otp"] = otp
        else:
            request["password"] = password or ""
        body = self._request("POST", "/auth/step-up", json_body=request)
        return SigningGrant.from_wire(parse(SigningTokenWire, body))

    def prescription_fhir(self, prescription_id: str) -> dict[str, Any]:
        """The prescription as a FHIR R4 Bundle (MedicationRequest, Patient, Observations)."""
        body = self._request("GET", f"/prescriptions/{prescription_id}/fhir")
        if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
            raise ApiError(200, translate("ApiClient", "The server's FHIR answer is not a Bundle."))
        return body

    def review(self, prescription_id: str, action: str, reason: str = "") -> PrescriptionWire:
        body = self._request(
            "POST",
            f"/prescriptions/{prescription_id}/review",
            json_body={"action": action, "reason": reason},
        )
        return _prescription(body)

    def act(
        self,
        prescription_id: str,
        action: str,
        note: str | None = None,
        *,
        seen_steps: int | None = None,
        beyond_use: BeyondUse | None = None,
    ) -> PrescriptionWire:
        """Move a prescription on (``pharmacy_domain.status.ACTIONS``); the updated one back.

        ``beyond_use``: the beyond-use date and storage, required to mark ready.

        ``seen_steps``: how many history steps the user was shown when they decided; the
        server refuses the action if the prescription has more by now.

        422: the note is missing or too long; 403: not this role's move; 404: gone or not
        the caller's; 409: someone moved it first (``detail`` names its status now; ``code``
        ``prescription.status_changed``) or it gained steps the user has not seen
        (``prescription.changed_since_seen``; ``detail`` says which).
        """
        request: dict[str, Any] = {
            "action": action,
            "note": note.strip() if note and note.strip() else None,
        }
        if seen_steps is not None:
            request["seen_steps"] = seen_steps
        if beyond_use is not None:
            request["beyond_use_date"] = (
                None if beyond_use.date is None else beyond_use.date.isoformat()
            )
            request["storage"] = beyond_use.storage
        body = self._request("POST", f"/prescriptions/{prescription_id}/actions", json_body=request)
        return _prescription(body)

    # ------------------------------------------------------------- server drafts

    def list_drafts(self) -> list[DraftWire]:
        """Every server draft the caller may see (a prescriber: theirs; clinic staff:
        their clinic's), newest change first."""
        items: list[DraftWire] = []
        cursor: str | None = None
        for _ in range(100):  # a runaway cursor must not hang a worker thread forever
            body = self._request("GET", "/drafts", params={"cursor": cursor, "limit": 100})
            page = parse(DraftPage, body)
            items.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                break
        return items

    def create_draft(self, body: dict[str, Any], prescriber_id: str | None) -> DraftWire:
        """Store a new server draft (clinic staff: for ``prescriber_id`` of their clinic)."""
        request: dict[str, Any] = {"body": body}
        if prescriber_id is not None:
            request["prescriber_id"] = prescriber_id
        return parse(DraftWire, self._request("POST", "/drafts", json_body=request))

    def update_draft(self, draft_id: str, body: dict[str, Any], version: int) -> DraftWire:
        """Replace a server draft's body; a stale ``version`` is ``ApiError`` 409."""
        answer = self._request(
            "PUT", f"/drafts/{draft_id}", json_body={"body": body, "version": version}
        )
        return parse(DraftWire, answer)

    def delete_draft(self, draft_id: str) -> bool:
        """Remove a server draft; False when it was already gone (404)."""
        try:
            self._request("DELETE", f"/drafts/{draft_id}")
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def clinic_prescribers(self) -> list[PersonWire]:
        """The active prescribers of the caller's clinic, from ``GET /clinic/prescribers``:
        whom clinic staff prepare drafts for."""
        return list(parse(ClinicPrescriberPage, self._request("GET", "/clinic/prescribers")).items)


def _error_answer(body: Any) -> ErrorWire | None:
    """An error body as the contract has it; ``None`` for anything else (a proxy's page)."""
    try:
        return parse(ErrorWire, body)
    except UnreadableAnswer:
        return None


def _prescription(body: Any) -> PrescriptionWire:
    """A prescription answer, read against the contract before anyone sees it."""
    return _readable_body(parse(PrescriptionWire, body))


def _readable_body(item: PrescriptionWire) -> PrescriptionWire:
    """``item``, once its body reads as the views show it: a malformed patient or line is
    ``UnreadableAnswer`` here, at the boundary, never while a widget renders the row."""
    item.patient_view()
    item.ingredient_views()
    item.vehicle_view()
    return item


# ------------------------------------------------------------- lifecycle outcome


class StepNotConfirmed(OutcomeUnknown):
    """No answer came to an action, and the prescription fetched afterwards does not show
    it as the user's next step: it may not have arrived, or may still arrive.

    ``current`` is the prescription as it is now (``None`` if it could not be fetched).
    """

    def __init__(self, message: str, current: PrescriptionWire | None) -> None:
        super().__init__(message)
        self.current = current


def history_length(item: PrescriptionWire) -> int | None:
    """How many history steps ``item`` shows (``None`` without a history)."""
    return len(item.history) if item.has_history else None


def is_own_next_step(
    current: PrescriptionWire, action: str, seen_steps: int | None, user_id: str
) -> bool:
    """Whether ``current`` ends with ``action`` by ``user_id`` as the very step after the
    ``seen_steps`` the user saw: the action whose answer was lost did arrive."""
    history = current.history
    if seen_steps is None or len(history) != seen_steps + 1:
        return False
    last = history[-1]
    return last.action == action and last.actor.id == user_id


def act_and_confirm(
    client: ApiClient,
    prescription_id: str,
    action: str,
    note: str | None,
    *,
    seen_steps: int | None,
    user_id: str,
    beyond_use: BeyondUse | None = None,
) -> PrescriptionWire:
    """``client.act``, and when no answer comes, a look at the prescription to find out.

    Runs on a worker thread. The updated prescription back if the step is recorded (its
    answer lost on the way is fine); ``StepNotConfirmed`` if that cannot be shown. Sending
    again afterwards is safe: with ``seen_steps``, the server refuses a second step if the
    first one arrived meanwhile.
    """
    try:
        if beyond_use is None:  # the call every other step makes, unchanged
            return client.act(prescription_id, action, note, seen_steps=seen_steps)
        return client.act(
            prescription_id, action, note, seen_steps=seen_steps, beyond_use=beyond_use
        )
    except OutcomeUnknown as lost:
        try:
            current = client.get_prescription(prescription_id)
        except NotSignedIn:
            raise
        except PortalError as error:
            log.info("Could not check an action without answer: %s", type(error).__name__)
            raise StepNotConfirmed(str(lost), None) from lost
        if is_own_next_step(current, action, seen_steps, user_id):
            return current
        raise StepNotConfirmed(str(lost), current) from lost
