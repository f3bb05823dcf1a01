"""Password rules after NIST 800-63B §5.1.1.2 and ASVS (checklist C1, C2).

The length rule is the shared domain's (``pharmacy_domain.text_limits``), so the client
says the same while a person types. No composition rules and no expiry. Refused: the
30,000 most common passwords (shipped in ``resources/common-passwords.txt``) and close
variants of them (a common word padded with digits or symbols, or repeated), the
account's own username or name, words of this service, one repeated character and
keyboard or alphabet runs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pharmacy_domain.text_limits import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, password_length

MIN_LENGTH = PASSWORD_MIN_LENGTH
MAX_LENGTH = PASSWORD_MAX_LENGTH
# Words any attacker would try first against a pharmacy portal.
CONTEXT_WORDS = (
    "pharmacy", "prescriber", "prescription", "portal", "compounding", "northside",
    "infusion", "nutrition", "password", "passw0rd",
)  # fmt: skip
_SEQUENCES = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_PADDING = re.compile(r"[\d\W_]*")


@dataclass(frozen=True)
class PasswordProblem:
    reason: str


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords_by_rank() -> tuple[str, ...]:
    """The shipped list, most common first."""
    text = resources.files("pharmacy_server").joinpath("resources/common-passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(common_passwords_by_rank())


def _is_repetition(text: str, unit_max: int = 12) -> bool:
    """``abcabcabc`` or ``xxxxxx``: one short unit said again and again."""
    for size in range(1, min(unit_max, len(text) // 2) + 1):
        unit = text[:size]
        if len(text) % size == 0 and unit * (len(text) // size) == text:
            return True
    return False


def _is_run(text: str) -> bool:
    reversed_text = text[::-1]
    return any(text in run or reversed_text in run for run in _SEQUENCES)


def _unpadded(text: str) -> set[str]:
    """Every way to read ``text`` as a word with digits or symbols added at either end:
    "qwer1234" + "2024!" gives "qwer1234", "qwer", ... ("qwer1234" is on the list)."""
    heads = [j for j in range(len(text) + 1) if _PADDING.fullmatch(text[:j])]
    tails = [i for i in range(len(text) + 1) if _PADDING.fullmatch(text[i:])]
    return {text[j:i] for j in heads for i in tails if i > j} or {""}


def _guessable_core(core: str, personal: tuple[str, ...]) -> bool:
    if not core:
        return True
    words = common_passwords()
    if core in words or core in CONTEXT_WORDS or core in personal:
        return True
    for size in range(1, len(core) // 2 + 1):
        unit = core[:size]
        if len(core) % size == 0 and unit * (len(core) // size) == core:
            return unit in words or unit in CONTEXT_WORDS or unit in personal or size <= 3
    # "maya chen 2024": nothing left once the account's own names and our words go.
    rest = core
    for word in sorted({*personal, *CONTEXT_WORDS}, key=len, reverse=True):
        if word:
            rest = rest.replace(word, "")
    return len(re.sub(r"[\W_\d]+", "", rest)) < 4


def password_problems(  # noqa: PLR0911 - one early answer per rule reads best
    password: str, *, username: str, display_name: str = ""
) -> list[PasswordProblem]:
    """Why ``password`` is refused (empty when it is acceptable)."""
    text = normalise(password)
    if password_length(password) < MIN_LENGTH:
        return [PasswordProblem(f"must be at least {MIN_LENGTH} characters")]
    if password_length(password) > MAX_LENGTH:
        return [PasswordProblem(f"must be at most {MAX_LENGTH} characters")]
    lowered = text.casefold()
    compact = re.sub(r"\s+", "", lowered)
    user = normalise(username).casefold()
    if user and (user == compact or (len(user) >= 4 and user in compact)):
        return [PasswordProblem("must not contain the username")]
    names = tuple(
        part for part in re.split(r"[\W_]+", normalise(display_name).casefold()) if len(part) >= 3
    )
    personal = (user, *names)
    if compact in common_passwords():
        return [PasswordProblem("is one of the most common passwords")]
    if _is_repetition(compact) or _is_run(compact):
        return [PasswordProblem("is a repeated or sequential pattern")]
    if any(_guessable_core(core, personal) for core in _unpadded(compact)):
        return [PasswordProblem("is a common word or name with digits or symbols added")]
    return []
