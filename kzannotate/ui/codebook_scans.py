"""Unlinked mentions and repeated passages for the codebook dock, found without ever blocking the reader.

The reader paints first. Finding the mentions of 48 actors in a 5 MB source takes a quarter of a second
and the repeated-passage scan of a big project several seconds, so both run as cooperative jobs
(``kzannotate.ui.jobs``) in slices of ~12 ms between paints, and a source switch cancels the previous
source's job. Results are cached: mentions per (source, text hash, codebook spellings), so switching back
to a source is instant and an annotation edit only re-runs the cheap "already annotated?" filter; repeated
passages once per set of sources. The Mentions and Repeats tabs fill their lists only while shown.

Overlays set on the reader: "mentions" (dotted underline in the actor's colour) and "repeats" (margin bars).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Generator
from typing import Any

from PySide6.QtCore import QObject

from kzannotate.store.errors import UserError
from kzannotate.text.duplicates import Repeat, copies_in, iter_repeats, line_range, map_offset, repeat_of
from kzannotate.text.mentions import Mention, covered_spans, iter_mentions, without_covered
from kzannotate.ui.jobs import Jobs
from kzannotate.ui.source_view import OverlaySpan

log = logging.getLogger("kzannotate")
REPEAT_COLOR = "#8a8f98"
MAX_TIP_COPIES = 4
# Up to this much text in the project, a question that needs the repeated passages (the duplicate warning
# before annotating, annotate-all) waits for the scan to finish; beyond it, it is answered without them
# until the scan is done.
BACKGROUND_CHARS = 1_000_000
MENTION_CACHE = 8  # sources whose mentions are kept
SPANS_PER_SLICE = 4000


class ScanController(QObject):
    """Mentions and repeated passages of the open source: jobs, caches, overlays and the two tabs."""

    def __init__(self, feature: Any) -> None:
        super().__init__(feature)
        self.feature = feature
        self.window = feature.window
        self.dock = feature.dock
        self.jobs = Jobs(self)
        self.mentions: list[Mention] = []  # unlinked mentions of the open source (what is shown)
        self._found: OrderedDict[tuple, list[Mention]] = OrderedDict()  # all mentions, before the filter
        self._spans: dict[Mention, OverlaySpan] = {}
        self._span_colors: dict[str, str] | None = None
        self._repeats: list[Repeat] | None = None
        self._texts: dict[str, str] = {}
        self._chars = 0

    @property
    def project(self) -> Any:
        return self.window.project

    # ------------------------------------------------------------ lifecycle
    def reset(self) -> None:
        """Another project: forget everything and stop what runs."""
        self.jobs.cancel_all()
        self._found.clear()
        self._spans.clear()
        self._span_colors = None
        self.invalidate_repeats()

    def finish(self) -> None:
        """Run every pending job to its end now (tests, and callers that need the answer at once)."""
        for key in ("repeats", "mentions", "repeat-marks"):
            self.jobs.finish(key)

    def _start(self, key: str, project: Any, work: Generator[None, None, Any], done: Any) -> None:
        """Start a job that stops quietly when its project is closed or replaced meanwhile."""

        def guarded() -> Generator[None, None, Any]:
            while True:
                if self.window.project is not project or project.conn is None:
                    work.close()
                    return None
                try:
                    next(work)
                except StopIteration as stop:
                    return stop.value
                yield

        self.jobs.start(key, guarded(), lambda result: result is not None and done(result))

    def invalidate_repeats(self) -> None:
        self.jobs.cancel("repeats")
        self.jobs.cancel("repeat-marks")
        self._repeats = None
        self._texts = {}
        self._chars = 0

    # ------------------------------------------------------------- mentions
    def refresh_mentions(self) -> None:
        """Find (or take from the cache) the open source's mentions and show the unlinked ones, in slices."""
        view = self.window.source_view
        project, source_id = self.project, self.window.current_source_id
        if project is None or source_id is None or view.source_id != source_id:
            self.jobs.cancel("mentions")
            self.mentions = []
            view.set_overlay("mentions", [])
            self.dock.mentions.set_mentions([], "", {}, None)
            self.dock.tabs.setTabText(2, "Mentions")
            return
        self._start("mentions", project, self._mentions_work(project, source_id, view.text), self._show_mentions)

    def _mentions_work(self, project: Any, source_id: str, text: str) -> Generator[None, None, Any]:
        actors = tuple(self.feature.actors())
        row = project.conn.execute("SELECT sha256 FROM sources WHERE id = ?", (source_id,)).fetchone()
        key = (source_id, row[0] if row else len(text), tuple((a.id, a.name, a.aliases) for a in actors))
        found = self._found.get(key)
        if found is None:
            found = yield from iter_mentions(text, actors, None, chunk=100_000, source_id=source_id)
            self._found[key] = found
            while len(self._found) > MENTION_CACHE:
                self._found.popitem(last=False)
            yield
        self._found.move_to_end(key)
        try:
            covered = covered_spans(project, source_id)
        except UserError:  # the source was deleted meanwhile
            covered = {}
            found = []
        yield
        mentions = without_covered(found, covered)
        yield
        colors = self.feature.colors()
        if self._span_colors != colors:
            self._spans.clear()
            self._span_colors = colors
        spans: list[OverlaySpan] = []
        cache = self._spans
        for i, m in enumerate(mentions):
            span = cache.get(m)
            if span is None:
                span = cache[m] = OverlaySpan(
                    m.start, m.end, color=colors.get(m.actor_id, "#0072b2"), style="dotted",
                    tooltip=f"Unlinked mention of {m.actor_name} — click to annotate", data=m)
            spans.append(span)
            if i % SPANS_PER_SLICE == SPANS_PER_SLICE - 1:
                yield
        if len(cache) > 4 * max(len(mentions), 10_000):  # spans of sources long closed
            self._spans = {m: cache[m] for m in mentions}
        return source_id, mentions, spans, colors

    def _show_mentions(self, result: tuple) -> None:
        source_id, mentions, spans, colors = result
        view = self.window.source_view
        if source_id != self.window.current_source_id or view.source_id != source_id:
            return
        unchanged = mentions == self.mentions and "mentions" in view.overlays
        self.mentions = mentions
        if not unchanged:  # the common case while annotating: the edit touched no mention
            view.set_overlay("mentions", spans, in_order=True)  # found in text order
        self.dock.mentions.set_mentions(mentions, view.text, colors, "open")
        self.dock.tabs.setTabText(2, f"Mentions ({len(mentions)})")

    # ------------------------------------------------------------- repeats
    def repeats(self) -> list[Repeat]:
        """Repeated passages across the project. Until the scan is done this waits for it in projects of
        up to ``BACKGROUND_CHARS`` characters and answers [] in bigger ones."""
        if self._repeats is None and self.project is not None:
            if not self.jobs.running("repeats"):
                self.start_repeats()
            if self._chars < BACKGROUND_CHARS:
                self.jobs.finish("repeats")
        return self._repeats or []

    def start_repeats(self) -> None:
        project = self.project
        if project is None or self.jobs.running("repeats"):
            return
        texts = {sid: project.get_source(sid).text for sid in project.source_ids()}
        self._chars = sum(len(t) for t in texts.values())
        self._start("repeats", project, self._repeats_work(texts), self._repeats_found)

    def _repeats_work(self, texts: dict[str, str]) -> Generator[None, None, Any]:
        found = yield from iter_repeats(texts)
        return texts, found

    def _repeats_found(self, result: tuple) -> None:
        self._texts, self._repeats = result
        self.refresh_repeats()

    def refresh_repeats(self) -> None:
        """Mark the open source's repeated passages (the scan starts if it has not run yet)."""
        view = self.window.source_view
        project, source_id = self.project, self.window.current_source_id
        if project is None or source_id is None:
            self.jobs.cancel("repeat-marks")
            view.set_overlay("repeats", [])
            self.dock.repeats.set_repeats([], None, {}, {})
            self.dock.tabs.setTabText(3, "Repeats")
            return
        if self._repeats is None:
            self.start_repeats()
            self.dock.repeats.set_repeats([], source_id, {}, {})
            self.dock.repeats.summary.setText("Looking for repeated passages in all sources…")
            return
        self._start("repeat-marks", project, self._marks_work(project, source_id), self._show_marks)

    def _marks_work(self, project: Any, source_id: str) -> Generator[None, None, Any]:
        pairs = copies_in(self._repeats or [], source_id)
        texts = self._texts
        titles = {s.id: s.title for s in project.list_sources()}
        lines: dict[tuple[str, int, int], str] = {}  # each copy's line numbers, worked out once

        def where(copy: tuple[str, int, int]) -> str:
            label = lines.get(copy)
            if label is None:
                sid, start, end = copy
                first, last = line_range(texts[sid], start, end)
                label = f"line {first}" if first == last else f"lines {first}–{last}"
                if sid != source_id:
                    label += f" of “{titles.get(sid, '?')}”"
                lines[copy] = label
            return label

        spans = []
        for n, (rep, index) in enumerate(pairs):
            _, start, end = rep.copies[index]
            shown = [i for i in range(len(rep.copies)) if i != index][:MAX_TIP_COPIES]
            more = len(rep.copies) - 1 - len(shown)
            role = "This passage is the first of" if index == 0 else "This passage repeats"
            tip = (f"{role} {len(rep.copies)} copies ({rep.length:,} characters); also at "
                   + "; ".join(where(rep.copies[i]) for i in shown) + (f" and {more} more" if more else "")
                   + ". Annotate one copy only.")
            spans.append(OverlaySpan(start, end, color=REPEAT_COLOR, style="margin", tooltip=tip,
                                     data=(rep, index)))
            if n % 500 == 499:
                yield
        return source_id, pairs, spans, titles

    def _show_marks(self, result: tuple) -> None:
        source_id, pairs, spans, titles = result
        view = self.window.source_view
        if source_id != self.window.current_source_id:
            return
        view.set_overlay("repeats", spans)
        self.dock.repeats.set_repeats(pairs, source_id, self._texts, titles)
        n = len({id(r) for r, _ in pairs})
        self.dock.tabs.setTabText(3, f"Repeats ({n})" if n else "Repeats")

    def repeat_warning(self, source_id: str, start: int, end: int) -> str | None:
        """The annotating controller asks this before creating an annotation in a repeated passage."""
        project = self.project
        if project is None:
            return None
        found = repeat_of(self.repeats(), source_id, start, end)
        if found is None:
            return None
        rep, index = found
        titles: dict[str, str] | None = None
        for other in range(len(rep.copies)):
            if other == index:
                continue
            sid, a, b = rep.copies[other]
            lo, hi = map_offset(rep, index, other, max(start, rep.copies[index][1])), \
                map_offset(rep, index, other, min(end, rep.copies[index][2]))
            hits = [x for x in project.annotations_for_source(sid) if x.start < hi and lo < x.end]
            if not hits:
                continue
            text = project.get_source(sid).text
            first, last = line_range(text, min(x.start for x in hits), max(x.end for x in hits))
            lines = f"line {first}" if first == last else f"lines {first}–{last}"
            if sid != source_id:
                titles = titles or {s.id: s.title for s in project.list_sources()}
                lines += f" of “{titles.get(sid, '?')}”"
            return (f"This passage repeats {lines}, which {'is' if len(hits) == 1 else 'are'} already annotated "
                    "there. Annotating it again counts the same evidence twice; annotate there instead?")
        return None

