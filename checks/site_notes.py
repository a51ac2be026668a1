"""What a screened site's ``note`` says, each part where there is something to say.

How its industry codes were read, what the layers' coverage means for it, and how many
access-list clauses were left to the reviewer.

:func:`~redline.checks.screen.screen_sites` joins the three (:func:`site_notes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redline.layers.coverage import covered_shares
from redline.layers.layerset import LayerSet
from redline.zones.labels import kind_label
from redline.zones.outcome import coverage_note

__all__ = ["Coverage", "joined_notes", "project_notes", "site_notes", "undecided_notes"]


class Coverage:
    """Where the layer set, and each layer with a coverage of its own, speaks for the sites.

    ``covered`` is each site's share within the layer set's coverage (NaN where it is undeclared or
    the site was not placed); ``shares`` the share within each layer's own coverage, by kind label.
    """

    def __init__(self, layerset: LayerSet, geoms: np.ndarray, ok: np.ndarray) -> None:
        self.covered = np.full(len(geoms), np.nan)
        placed = np.flatnonzero(ok)
        self.covered[placed] = covered_shares(geoms[placed], layerset.coverage())
        self.shares: dict[str, np.ndarray] = {}
        # a kind whose layers all declare their own coverage covers the union of theirs
        bounded = {
            k for k in layerset.kinds if all(lyr.coverage is not None for lyr in layerset.layers if lyr.kind == k)
        }
        for layer in layerset.layers:
            if layer.kind in bounded:
                share = np.full(len(geoms), np.nan)
                share[placed] = covered_shares(geoms[placed], layer.coverage)
                known = self.shares.get(layer.kind)
                self.shares[layer.kind] = share if known is None else np.fmax(known, share)

    def layer_gaps(self) -> np.ndarray:
        """Return True for sites wholly outside the coverage of some kind's layers."""
        gaps = np.zeros(len(self.covered), dtype=bool)
        for share in self.shares.values():
            gaps |= share == 0
        return gaps

    def notes(self, verdicts: np.ndarray, lang: str) -> np.ndarray:
        """Return each site's coverage note (:func:`redline.zones.outcome.coverage_note`), empty if none."""
        out = np.full(len(verdicts), "", dtype=object)
        covered = self.covered
        say = (covered == 0) | ((covered > 0) & (covered < 1)) | (np.isnan(covered) & (verdicts == "clear"))
        for share in self.shares.values():
            say |= share < 1
        for i in np.flatnonzero(say & (verdicts != "")):
            partial = {kind_label(kind, lang): float(share[i]) for kind, share in self.shares.items() if share[i] < 1}
            out[i] = coverage_note(verdicts[i], float(covered[i]), partial, lang)
        return out


def project_notes(projects: np.ndarray, lang: str) -> np.ndarray:
    """How each site's industry codes were read (a GB/T 4754-2011 code, an unknown one), or empty."""
    out = np.full(len(projects), "", dtype=object)
    sep = "；" if lang == "zh" else "; "
    for i, project in enumerate(projects):
        notes = getattr(project, "notes_en" if lang == "en" else "notes", ())
        if notes:
            out[i] = sep.join(notes)
    return out


def undecided_notes(n: int, rows: np.ndarray, undecided: np.ndarray, lang: str) -> np.ndarray:
    """Say, per site, how many access-list clauses that may bind it were left to the reviewer."""
    out = np.full(n, "", dtype=object)
    per_site: dict[int, set[str]] = {}
    for row in np.flatnonzero(undecided != ""):
        per_site.setdefault(int(rows[row]), set()).update(str(undecided[row]).split(";"))
    for site, ids in per_site.items():
        out[site] = (
            f"准入清单中 {len(ids)} 条条款无法自动判定，需人工核对"
            if lang == "zh"
            else f"{len(ids)} access-list clause(s) could not be judged automatically: a reviewer must check them"
        )
    return out


def joined_notes(first: np.ndarray, second: np.ndarray, lang: str) -> np.ndarray:
    """Join two note columns cell by cell (either may be empty)."""
    sep = "；" if lang == "zh" else "; "
    out = np.where(first == "", second, first).astype(object)
    for i in np.flatnonzero((first != "") & (second != "")):
        out[i] = f"{first[i]}{sep}{second[i]}"
    return out


def site_notes(
    projects: np.ndarray, coverage_notes: np.ndarray, rows: np.ndarray, findings: pd.DataFrame, lang: str
) -> np.ndarray:
    """Return every site's note: its codes' notes, its coverage note, then the clauses left to the reviewer.

    Parameters
    ----------
    projects : numpy.ndarray of Project or None
        Each site's project.
    coverage_notes : numpy.ndarray of str
        Each site's coverage note (:meth:`Coverage.notes`).
    rows : numpy.ndarray of int
        The site row of each finding.
    findings : pandas.DataFrame
        The findings, with ``undecided_clauses``.
    lang : {"zh", "en"}

    Examples
    --------
    >>> from redline.zones.project import make_project
    >>> projects = np.array([make_project("Z9999", lenient=True), None], dtype=object)
    >>> findings = pd.DataFrame({"undecided_clauses": ["", "general/1;general/2"]})
    >>> notes = site_notes(projects, np.array(["", ""], dtype=object), np.array([0, 1]), findings, "en")
    >>> notes[0][:24]
    'industry code Z9999 is n'
    >>> notes[1]
    '2 access-list clause(s) could not be judged automatically: a reviewer must check them'
    """
    notes = joined_notes(project_notes(projects, lang), coverage_notes, lang)
    undecided = findings["undecided_clauses"].to_numpy()
    return joined_notes(notes, undecided_notes(len(projects), rows, undecided, lang), lang)
