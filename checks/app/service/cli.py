"""The ``redline serve`` subcommand: load the layer set once, then serve it with uvicorn.

The command line's parser (:mod:`redline.checks.app.cli.parser`) calls :func:`add_serve_parser`
to add the subcommand, which runs :func:`run_serve`.  Bad options raise
:class:`zones.errors.RedlineError` (exit 2, one message).
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

from redline.checks import options
from redline.checks.app.cli_args import add_lang, add_layers, flag_namer, option_type
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_serve_parser", "run_serve"]

TOKEN_ENV = "REDLINE_TOKEN"


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
    add_layers(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=option_type(options.port), default=8765, help="port (default 8765)")
    p.add_argument(
        "--token",
        default=None,
        help=f"require 'Authorization: Bearer TOKEN' on every /api call (default: ${TOKEN_ENV} when set)",
    )
    p.add_argument(
        "--max-upload-mb",
        type=option_type(options.max_upload_mb),
        default=200.0,
        metavar="MB",
        help="largest batch upload (default 200)",
    )
    p.add_argument(
        "--work-dir",
        metavar="DIR",
        help="folder for jobs and reports, kept after exit (default: a temporary folder removed at exit)",
    )
    p.add_argument(
        "--jobs",
        type=option_type(options.jobs),
        default=2,
        metavar="N",
        help="batch jobs run at once; more wait (default 2)",
    )
    add_lang(p, "default language (default zh)")
    p.add_argument("--quiet", action="store_true", help="log only warnings and errors")
    p.set_defaults(run=run_serve)
    return p


def _check_listen(host: str, port: int) -> None:
    """Fail early, with one message, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RedlineError(
            f"{param_ref('host')}: cannot resolve {host!r} ({exc.strerror}); give e.g. 127.0.0.1 or 0.0.0.0",
            param="host",
            value=host,
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise RedlineError(
                f"{param_ref('port')}: cannot listen on {host}:{port} ({exc.strerror}); choose another "
                f"{param_ref('port')} or {param_ref('host')}",
                param="port",
                value=port,
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
            f"{param_ref('work_dir')}: cannot write into '{path}' ({exc.strerror}); choose a writable folder",
            param="work_dir",
            value=str(path),
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

    token = options.token(args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None)
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
            f"redline: warning: serving on {args.host} without {flag_namer()('token')}: anyone who can reach this "
            "port can use it",
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
