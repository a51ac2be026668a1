"""The ``redline serve`` subcommand: load the layer set once, then serve it with uvicorn.

``checks/cli.py`` calls :func:`add_serve_parser` to add the subcommand and :func:`run_serve`
to run it.  Bad options raise :class:`zones.errors.RedlineError` (exit 2, one message).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from redline.checks.app.cli_args import number_option
from redline.zones.errors import RedlineError

__all__ = ["add_serve_parser", "run_serve"]

TOKEN_ENV = "REDLINE_TOKEN"


_port = number_option(
    int,
    lambda n: 1 <= n <= 65535,
    "--port: {value!r} is not a port number (1-65535)",
    "--port: {number} is outside 1..65535",
)
_megabytes = number_option(
    float,
    lambda mb: 0 < mb <= 1024 * 1024,
    "--max-upload-mb: {value!r} is not a number of megabytes",
    "--max-upload-mb: {value} must be more than 0",
)
_jobs = number_option(
    int, lambda n: 1 <= n <= 64, "--jobs: {value!r} is not a whole number", "--jobs: {number} is outside 1..64"
)


def add_serve_parser(sub) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to the ``redline`` subparsers; return its parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="redline")
    >>> serve = add_serve_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["serve", "--port", "9000"])
    >>> args.port, args.host, args.jobs, args.max_upload_mb
    (9000, '127.0.0.1', 2, 200.0)
    """
    p = sub.add_parser(
        "serve",
        help="run the screening web service (page, JSON API and batch jobs) for a layer set",
        description="Serve the screening page and JSON API (OpenAPI at /docs). The layer set is loaded once.",
    )
    p.add_argument(
        "--layers", default="sample", metavar="PATH", help="layerset.yaml, a folder holding one, or 'sample' (default)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    p.add_argument(
        "--token",
        default=None,
        help=f"require 'Authorization: Bearer TOKEN' on every /api call (default: ${TOKEN_ENV} when set)",
    )
    p.add_argument(
        "--max-upload-mb", type=_megabytes, default=200.0, metavar="MB", help="largest batch upload (default 200)"
    )
    p.add_argument(
        "--work-dir",
        metavar="DIR",
        help="folder for jobs and reports, kept after exit (default: a temporary folder removed at exit)",
    )
    p.add_argument("--jobs", type=_jobs, default=2, metavar="N", help="batch jobs run at once; more wait (default 2)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="default language (default zh)")
    p.add_argument("--quiet", action="store_true", help="log only warnings and errors")
    return p


def _check_listen(host: str, port: int) -> None:
    """Fail early, with one message, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RedlineError(
            f"--host: cannot resolve {host!r} ({exc.strerror}); give e.g. 127.0.0.1 or 0.0.0.0"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise RedlineError(
                f"--port: cannot listen on {host}:{port} ({exc.strerror}); choose another --port or --host"
            ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _work_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".redline-write-test-"):
            pass
    except OSError as exc:
        raise RedlineError(
            f"--work-dir: cannot write into '{path}' ({exc.strerror}); choose a writable folder"
        ) from None
    return path


def run_serve(args: argparse.Namespace) -> int:
    """Run ``redline serve``: load the layers, check the options, serve until interrupted.

    Returns
    -------
    int
        The exit status (0 after a clean shutdown).

    Raises
    ------
    RedlineError
        For a layer set that cannot be loaded, an address that cannot be listened on or an
        unwritable work dir.
    """
    import logging

    import uvicorn

    from redline.checks.app.service.app import create_app
    from redline.checks.engine.spatial import prepare_layer
    from redline.layers import load_layerset

    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    if token is not None and not token.strip():
        raise RedlineError("--token: the token is empty; give a long random string, or leave --token out")
    if token is not None and any(c.isspace() for c in token):
        raise RedlineError("--token: the token has spaces; give a token without spaces")
    _check_listen(args.host, args.port)
    work_dir = _work_dir(args.work_dir)
    layerset = load_layerset(args.layers)
    for layer in layerset.layers:  # indexes built once now, not by the first requests
        prepare_layer(layer)
    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="redline: %(levelname)s: %(message)s")
    own = None
    if work_dir is None:
        own = Path(tempfile.mkdtemp(prefix="redline-serve-"))
    app = create_app(
        layerset,
        token=token,
        max_upload_bytes=int(args.max_upload_mb * 1024**2),
        work_dir=own or work_dir,
        max_jobs=args.jobs,
        lang=args.lang,
    )
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    say(f"redline serve: {layerset.name}")
    if layerset.illustrative:
        say("⚠ 示意数据，非官方 / illustrative data, not official")
    say(f"  page: http://{args.host}:{args.port}/   API docs: http://{args.host}:{args.port}/docs")
    say(f"  token: {'required' if token else 'none'}   jobs: {args.jobs}   upload limit: {args.max_upload_mb:g} MB")
    if not token and not _is_loopback(args.host):
        print(
            f"redline: warning: serving on {args.host} without --token: anyone who can reach this port can use it",
            file=sys.stderr,
        )
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level="warning" if args.quiet else "info",
            access_log=not args.quiet,
        )
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
    return 0
