"""Fixtures of the service tests: the sample layer set, an app over it and a test client."""

from __future__ import annotations

import socket
import time
import warnings

import pytest

with warnings.catch_warnings():
    # starlette asks for its httpx2 fork; the installed httpx works the same for the test client
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def sample_layers():
    from redline.layers import load_layerset

    return load_layerset("sample")


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("service-work")


@pytest.fixture(scope="module")
def client(sample_layers, work_dir):
    """A client of the service over the sample layers, no token."""
    from redline.checks.app.service import create_app

    with TestClient(create_app(sample_layers, work_dir=work_dir, rate_limit="off")) as c:
        yield c


def make_client(layerset, *, raise_server_exceptions: bool = True, **kwargs) -> TestClient:
    """Return a test client (use it as a context manager) of a service built with ``kwargs``."""
    from redline.checks.app.service import create_app

    return TestClient(create_app(layerset, **kwargs), raise_server_exceptions=raise_server_exceptions)


def wait_job(client, job_id: str, timeout: float = 60.0, headers: dict | None = None) -> dict:
    """Poll a job until it is done or failed; return its last state."""
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(f"/api/jobs/{job_id}", headers=headers or {}).json()
        if state["status"] in ("done", "error") or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
