"""The identifiers an account request carries: NPI and DEA numbers (their check digits
are the shared domain's, so the client refuses exactly what the server refuses) and the
licence's state code."""

from __future__ import annotations

import re

from pharmacy_domain.identifiers import dea_check_digit, is_valid_dea, is_valid_npi, npi_check_digit

__all__ = ["dea_check_digit", "is_valid_dea", "is_valid_npi", "is_valid_state", "npi_check_digit"]

_LICENCE_STATE = re.compile(r"^[A-Z]{2}$")


def is_valid_state(code: str) -> bool:
    return bool(_LICENCE_STATE.match(code))
