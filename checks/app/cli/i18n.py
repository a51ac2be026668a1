"""The command line's language: Chinese by default, English with ``--lang en``.

Help texts are written as pairs, ``w("中文", "English")``, where the option is added
(:class:`Words`); the language is known before the parser is built (:func:`lang_of` reads
``--lang`` from the arguments).  argparse's own words (``usage:``, ``error:``, "the following
arguments are required" ...) are translated by :func:`argparse_language`, which hands argparse a
catalogue in place of its ``gettext`` while the parser is built and the arguments parsed — what
a gettext catalogue would do, without one installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["ARGPARSE_ZH", "LANGS", "HelpFormatter", "Parser", "Words", "argparse_language", "lang_of"]

#: The languages of the command line; the first is the default.
LANGS: tuple[str, ...] = ("zh", "en")

#: argparse's messages (its ``gettext`` message ids) in Chinese.
ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项值 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "ignored explicit argument %r": "忽略了显式给出的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
}


def lang_of(argv: Sequence[str]) -> str:
    """Return the language the arguments ask for (``--lang en`` or ``--lang=en``), else ``zh``.

    Examples
    --------
    >>> lang_of(["check", "1,2", "--lang", "en"]), lang_of(["demo", "--lang=en"]), lang_of(["demo"])
    ('en', 'en', 'zh')
    """
    argv = list(argv)
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    return LANGS[0]


class Words:
    """Pick the text of the command line's language from a (Chinese, English) pair.

    Examples
    --------
    >>> w = Words("en")
    >>> w("输出文件夹", "output folder"), Words("zh")("输出文件夹", "output folder")
    ('output folder', '输出文件夹')
    >>> w.lang
    'en'
    """

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang if lang in LANGS else LANGS[0]

    @property
    def zh(self) -> bool:
        """True when the language is Chinese."""
        return self.lang == "zh"

    def __call__(self, zh: str, en: str) -> str:
        """Return ``zh`` when the language is Chinese, else ``en``."""
        return zh if self.lang == "zh" else en


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by terminal width: a Chinese character takes two columns, a line may break between two.

    Examples
    --------
    >>> p = Parser(prog="redline")
    >>> _ = p.add_argument("--buffer", help="报告此距离（米）以内的相邻区域" * 4)
    >>> max(len(line) for line in p.format_help().splitlines()) < 80
    True
    """

    def _split_lines(self, text: str, width: int) -> list[str]:
        from redline.checks.app.cli.table import wrap

        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from redline.checks.app.cli.table import wrap

        return "\n".join(indent + line for line in wrap(text, width))


class Parser(argparse.ArgumentParser):
    """An argument parser whose help is wrapped by :class:`HelpFormatter` (its subcommands' too)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    r"""Have argparse speak ``lang`` inside the block (build the parser and parse the arguments in it).

    Examples
    --------
    >>> with argparse_language("zh"):
    ...     p = argparse.ArgumentParser(prog="redline")
    ...     p.format_usage()
    '用法：redline [-h]\n'
    >>> argparse.ArgumentParser(prog="redline").format_usage()
    'usage: redline [-h]\n'
    """
    if lang != "zh":
        yield
        return
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def gettext(message: str) -> str:
        return ARGPARSE_ZH.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
