"""The ``redline serve`` subcommand: load the layer set once, then serve it with uvicorn.

The command line's parser (:mod:`redline.checks.app.cli.parser`) calls :func:`add_serve_parser`
to add the subcommand, which runs :func:`run_serve`.  Like every command it speaks Chinese by
default and English with ``--lang en``: its help, what it prints at startup, and the messages of
its own options (an error that has a Chinese text carries it as ``zh``, which the command line
says in Chinese).  Bad options raise :class:`zones.errors.RedlineError` (exit 2, one message).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

from redline.checks import options
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang, add_layers, flag_namer, option_type
from redline.checks.app.service.clients import DEFAULT_RATE, READ_FACTOR, parse_rate
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_serve_parser", "parse_rate_option", "run_serve", "timeout_option"]

TOKEN_ENV = "REDLINE_TOKEN"
#: How a big check is screened (the service's lanes, :mod:`redline.checks.app.service.lanes`).
BIG_LANE_MODES = ("process", "thread")
#: Names of the query parameters whose values the access log never shows.
_SECRET_QUERY = re.compile(r"([?&](?:token|access_token|key|api_key|password)=)[^&\s]*", re.IGNORECASE)


def parse_rate_option(value: str) -> str:
    """Check ``--rate-limit`` (see :func:`redline.checks.app.service.clients.parse_rate`); return it as given.

    Examples
    --------
    >>> parse_rate_option("600/min")
    '600/min'
    """
    parse_rate(value)
    return value


def timeout_option(value: str) -> float:
    """Check ``--check-timeout``: seconds, 1 to 3600.

    Examples
    --------
    >>> timeout_option("45")
    45.0
    """
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 1 <= seconds <= 3600:
        raise RedlineError(
            f"{param_ref('check_timeout')}: {value!r} is not a number of seconds from 1 to 3600",
            param="check_timeout",
            value=value,
            zh=f"{param_ref('check_timeout')}：{value!r} 不是 1 到 3600 之间的秒数",
        )
    return seconds


class HideSecrets(logging.Filter):
    """A filter of uvicorn's access log: the values of ``token=`` (and like) query parameters become ``***``.

    Examples
    --------
    >>> args = ("1.2.3.4", "GET", "/?token=s3cret&x=1")
    >>> record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s"', args, None)
    >>> HideSecrets().filter(record), record.args[2]
    (True, '/?token=***&x=1')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_SECRET_QUERY.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


def add_serve_parser(sub, w: Words | None = None) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to the ``redline`` subparsers; return its parser.

    Parameters
    ----------
    sub
        The ``redline`` subparsers.
    w : Words, optional
        The command line's language (help texts and option messages); Chinese without.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="redline")
    >>> serve = add_serve_parser(parser.add_subparsers(dest="command"), Words("en"))
    >>> args = parser.parse_args(["serve", "--port", "9000"])
    >>> args.port, args.host, args.jobs, args.max_upload_mb
    (9000, '127.0.0.1', 2, 200.0)
    >>> serve.description.startswith("Serve the screening page")
    True
    """
    w = w or Words()
    p = sub.add_parser(
        "serve",
        help=w(
            "运行筛查网络服务（网页、JSON 接口和批量任务），图层集只加载一次",
            "run the screening web service (page, JSON API and batch jobs) for a layer set",
        ),
        description=w(
            "提供筛查网页和 JSON 接口（接口说明见 /docs）。图层集在启动时加载一次。",
            "Serve the screening page and JSON API (OpenAPI at /docs). The layer set is loaded once.",
        ),
    )
    add_layers(p, w)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help=w(
            "监听地址（默认 127.0.0.1：仅本机；0.0.0.0：网络中的所有人）",
            "address to listen on (default 127.0.0.1: this machine only)",
        ),
    )
    p.add_argument(
        "--port",
        type=option_type(options.port, w.lang),
        default=8765,
        help=w("端口（默认 8765）", "port (default 8765)"),
    )
    p.add_argument(
        "--token",
        default=None,
        help=w(
            f"每个 /api 调用都须带 'Authorization: Bearer TOKEN'（默认：已设置时取环境变量 ${TOKEN_ENV}）",
            f"require 'Authorization: Bearer TOKEN' on every /api call (default: ${TOKEN_ENV} when set)",
        ),
    )
    p.add_argument(
        "--tokens",
        metavar="FILE",
        default=None,
        help=w(
            "具名令牌，各有自己的配额：YAML 或 JSON 文件，每项写名称 name、令牌的 sha256（printf %%s TOKEN | "
            "sha256sum）和 rate_limit；审计日志只记名称，从不记令牌",
            "named tokens, each with its own quota: a YAML or JSON file of name, sha256 of the token and "
            "rate_limit (printf %%s TOKEN | sha256sum); the audit log records the name, never the token",
        ),
    )
    p.add_argument(
        "--rate-limit",
        metavar="RATE",
        type=option_type(parse_rate_option, w.lang),
        default=DEFAULT_RATE,
        help=w(
            f"每个客户端（令牌；无令牌时按地址）可调用筛查的频率：N/s、N/min、N/h 或 off（默认 {DEFAULT_RATE}；"
            f"其他 /api 调用为其 {READ_FACTOR} 倍）；--tokens 中的令牌可有自己的配额",
            f"screening calls each client (token, or address without one) may make: N/s, N/min, N/h or off "
            f"(default {DEFAULT_RATE}; other /api calls {READ_FACTOR} times as many); a token of --tokens may "
            "have its own",
        ),
    )
    p.add_argument(
        "--audit-log",
        metavar="FILE",
        default=None,
        help=w(
            "涉及涉密图层的调用记录（JSON Lines；默认：--work-dir 中的 audit.jsonl，否则当前文件夹中的 "
            "redline-audit.jsonl）",
            "JSON lines of the calls that touch a confidential layer (default: audit.jsonl in --work-dir, "
            "else redline-audit.jsonl here)",
        ),
    )
    p.add_argument(
        "--check-timeout",
        metavar="S",
        type=option_type(timeout_option, w.lang),
        default=30.0,
        help=w("单次 /api/check 的时限（秒，默认 30）", "time limit of one /api/check in seconds (default 30)"),
    )
    p.add_argument(
        "--big-checks",
        choices=BIG_LANE_MODES,
        default="process",
        help=w(
            "大范围选址在哪里筛查：独立的工作进程（默认：大选址从不拖慢小选址；图层加载两次）或服务内的线程",
            "screen large sites in a worker process (default: a big check never slows the small ones; the "
            "layers are loaded twice) or in a thread of the service",
        ),
    )
    p.add_argument(
        "--max-upload-mb",
        type=option_type(options.max_upload_mb, w.lang),
        default=200.0,
        metavar="MB",
        help=w("批量上传文件的大小上限（MB，默认 200）", "largest batch upload (default 200)"),
    )
    p.add_argument(
        "--work-dir",
        metavar="DIR",
        help=w(
            "任务和报告的文件夹，退出后保留（默认：临时文件夹，退出时删除）",
            "folder for jobs and reports, kept after exit (default: a temporary folder removed at exit)",
        ),
    )
    p.add_argument(
        "--jobs",
        type=option_type(options.jobs, w.lang),
        default=2,
        metavar="N",
        help=w("同时运行的批量任务数，其余排队（默认 2）", "batch jobs run at once; more wait (default 2)"),
    )
    add_lang(p, w("默认语言：zh（默认）或 en", "default language (default zh)"))
    p.add_argument("--quiet", action="store_true", help=w("只记录警告和错误", "log only warnings and errors"))
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
            zh=f"{param_ref('host')}：无法解析 {host!r}（{exc.strerror}）；请给出如 127.0.0.1 或 0.0.0.0 的地址",
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
                zh=f"{param_ref('port')}：无法在 {host}:{port} 上监听（{exc.strerror}）；请另选 {param_ref('port')} "
                f"或 {param_ref('host')}",
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
            zh=f"{param_ref('work_dir')}：无法写入 '{path}'（{exc.strerror}）；请另选可写的文件夹",
        ) from None
    return path


def _say_started(args: argparse.Namespace, layerset, tokens: bool, audit_log: Path) -> None:
    """Print what is served where, in the command line's language (not with ``--quiet``; a warning always)."""
    from redline.checks.app.cli.console import warn
    from redline.zones.labels import t

    w = Words(getattr(args, "lang", "zh"))
    lines = [w(f"redline serve：{layerset.name}", f"redline serve: {layerset.name}")]
    if layerset.illustrative:
        lines.append("⚠ " + t("illustrative_notice", w.lang))
    base = f"http://{args.host}:{args.port}"
    lines.append(w(f"  网页：{base}/   接口说明：{base}/docs", f"  page: {base}/   API docs: {base}/docs"))
    lines.append(
        w(
            f"  令牌：{'需要' if tokens else '无'}   频率限制：每个客户端 {args.rate_limit}   批量任务：{args.jobs}   "
            f"上传上限：{args.max_upload_mb:g} MB",
            f"  token: {'required' if tokens else 'none'}   rate limit: {args.rate_limit} a client   "
            f"jobs: {args.jobs}   upload limit: {args.max_upload_mb:g} MB",
        )
    )
    if layerset.confidential_kinds():
        lines.append(
            w(
                f"  涉密图层：回答已粗化；审计日志：{audit_log}",
                f"  confidential layers: answers coarsened; audit log: {audit_log}",
            )
        )
    if not args.quiet:
        print("\n".join(lines), flush=True)
    if not tokens and not _is_loopback(args.host):
        flag = flag_namer()("token")
        warn(
            args,
            w(
                f"在 {args.host} 上提供服务却未设 {flag}：能访问此端口的任何人都可使用它",
                f"serving on {args.host} without {flag}: anyone who can reach this port can use it",
            ),
        )


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
    audit_log = (
        Path(args.audit_log)
        if args.audit_log
        else (work_dir or Path.cwd()) / ("audit.jsonl" if work_dir else "redline-audit.jsonl")
    )
    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="redline: %(levelname)s: %(message)s")
    own = None
    if work_dir is None:
        own = Path(tempfile.mkdtemp(prefix="redline-serve-"))
    app = create_app(
        layerset,
        token=token,
        tokens=args.tokens,
        rate_limit=args.rate_limit,
        max_upload_bytes=int(args.max_upload_mb * 1024**2),
        work_dir=own or work_dir,
        audit_log=audit_log,
        max_jobs=args.jobs,
        lang=args.lang,
        check_timeout=args.check_timeout,
        big_lane=args.big_checks,
    )
    app.state.service.lanes.big.start()  # the worker of big checks loads its layers now, not on the first one
    _say_started(args, layerset, bool(token or args.tokens), audit_log)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning" if args.quiet else "info", access_log=not args.quiet
    )
    logging.getLogger("uvicorn.access").addFilter(HideSecrets())  # (uvicorn.Config has set up its logging)
    try:
        uvicorn.Server(config).run()
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
    return 0
