"""Access control of the ``/v1/observability`` API: a bearer token, closed by default.

Traces, SLO details and process internals describe the application to whoever reads them, so every
endpoint except ``health`` and ``metrics`` (which scrapers and probes need) requires
``Authorization: Bearer <AURUM_OBSERVABILITY_TOKEN>``. With no token configured those endpoints
answer 403 and say how to enable them; a wrong or missing token is a 401 with a ``WWW-Authenticate``
challenge. The comparison is constant-time, so response timing does not reveal the token.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, status

if TYPE_CHECKING:
    from collections.abc import Callable

    from aurum.observability._observability import Observability

__all__ = ["ENABLE_HINT", "api_error", "token_guard"]

ENABLE_HINT = (
    "The observability API is disabled: set AURUM_OBSERVABILITY_TOKEN to a secret value and send it as "
    "'Authorization: Bearer <token>'. Only /v1/observability/health and /v1/observability/metrics are open."
)


def api_error(
    status_code: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HTTPException:
    """An error whose JSON body is ``{"detail": {"code": ..., "message": ...}}``."""
    return HTTPException(status_code=status_code, detail={"code": code, "message": message}, headers=headers)


def token_guard(current: Callable[[], Observability]) -> Callable[[Request], None]:
    """A FastAPI dependency guarding the protected endpoints with the token of ``current()``'s settings."""

    def require_token(request: Request) -> None:
        secret = current().settings.observability_token
        expected = secret.get_secret_value().encode() if secret is not None else b""
        if not expected:
            raise api_error(status.HTTP_403_FORBIDDEN, "disabled", ENABLE_HINT)
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), expected):
            raise api_error(
                status.HTTP_401_UNAUTHORIZED,
                "unauthorized",
                "A valid 'Authorization: Bearer <token>' header is required.",
                headers={"WWW-Authenticate": 'Bearer realm="aurum-observability"'},
            )

    return require_token
