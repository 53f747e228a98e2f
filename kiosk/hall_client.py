"""The one HTTP client of the hall API used by the other processes of a stack.

The assistant's actions, the camera agent and the hall announcer all reach
the hall server through this: one pooled connection per host (keep-alive),
the device's bearer token, a connect timeout and a read timeout on every
call, and the API's JSON errors (`{"error": {"code", "message"}}`) turned
into `HallApiError`. Callers add what is theirs: the agent its queue and
retries, the actions their hall operations, the announcer its live stream.

Standard library and requests only: the actions import it from Rasa's Python 3.10.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from kiosk import stack

CONNECT_TIMEOUT_S = 2.0


class HallApiError(Exception):
    """The hall server answered with an error (status >= 400), or could not be reached (status 0)."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message}" if status else f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class HallClient:
    """Calls the hall API at `base_url` (default: this stack's hall server) as one device."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout_s: float = 5.0,
        pool_size: int = 4,
    ) -> None:
        self.base_url = (base_url or stack.hall_url()).rstrip("/")
        self.token = stack.device_token() if token is None else token
        self.timeout_s = timeout_s
        self._pool_size = pool_size
        self._local = threading.local()

    @property
    def http(self) -> requests.Session:
        """This thread's session: requests' sessions are not documented as thread-safe."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_size)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            if self.token:
                session.headers["Authorization"] = f"Bearer {self.token}"
            session.headers["Accept"] = "application/json"
            self._local.session = session
        return session

    def url(self, path: str) -> str:
        return self.base_url + path

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout_s: float | None = None,
    ) -> requests.Response:
        """One request; the answer whatever its status. Raises HallApiError(0, "unreachable")."""
        extra = dict(headers or {})
        if idempotency_key:
            extra["Idempotency-Key"] = idempotency_key
        try:
            return self.http.request(
                method,
                self.url(path),
                json=json,
                data=data,
                params=params,
                headers=extra,
                timeout=(CONNECT_TIMEOUT_S, timeout_s or self.timeout_s),
            )
        except requests.RequestException as exc:
            raise HallApiError(0, "unreachable", f"{method} {path}: {type(exc).__name__}") from exc

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request whose answer is JSON; an error status raises HallApiError with the API's code."""
        response = self.send(method, path, **kwargs)
        if response.status_code == 204:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise HallApiError(
                response.status_code,
                str(error.get("code") or "http_error"),
                str(error.get("message") or response.text[:200]),
            )
        if not isinstance(data, dict):
            raise HallApiError(response.status_code, "bad_answer", f"{method} {path}: not a JSON object")
        return data

    @contextmanager
    def stream(
        self, path: str, headers: Mapping[str, str] | None = None, read_timeout_s: float = 40.0
    ) -> Iterator[requests.Response]:
        """A long-lived GET (a live channel); the read timeout outlasts the server's keep-alives."""
        try:
            with self.http.get(
                self.url(path),
                headers=dict(headers or {}),
                stream=True,
                timeout=(CONNECT_TIMEOUT_S, read_timeout_s),
            ) as response:
                if response.status_code >= 400:
                    raise HallApiError(response.status_code, "http_error", f"GET {path}")
                yield response
        except requests.RequestException as exc:
            raise HallApiError(0, "unreachable", f"GET {path}: {type(exc).__name__}") from exc

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None
