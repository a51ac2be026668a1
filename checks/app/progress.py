"""Progress of a screening run: a bar on stderr for a person, a callback for a program, or nothing."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]


class Progress:
    """Count sites screened: a tqdm bar (sites, rate, ETA), a ``(done, total)`` callback, or nothing.

    Parameters
    ----------
    total : int or None
        Sites to screen (None when unknown: the bar counts without an end).
    progress : bool or callable
        ``True`` shows the bar on stderr; a callable is called as ``progress(done, total)`` now
        and after each :meth:`update`; ``False`` reports nothing.
    desc : str
        The bar's label.

    Examples
    --------
    >>> calls = []
    >>> bar = Progress(30, lambda done, total: calls.append((done, total)))
    >>> bar.update(10); bar.update(20); bar.close()
    >>> calls
    [(0, 30), (10, 30), (30, 30)]
    """

    def __init__(
        self, total: int | None, progress: bool | Callable[[int, int | None], None], *, desc: str = "screening"
    ) -> None:
        self.done, self.total = 0, total
        self.callback = progress if callable(progress) else None
        self.bar = None
        if self.callback:
            self.callback(0, total)
        elif progress:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="site", desc=desc, mininterval=0.5, leave=False, smoothing=0.1)

    def update(self, n: int) -> None:
        """Count ``n`` more sites screened."""
        self.done += n
        if self.callback:
            self.callback(self.done, self.total)
        elif self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
