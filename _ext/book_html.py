"""Sphinx hooks for the HTML book (maintainer machinery; loaded through ``_config.yml``).

* Test and grading markers (``# NBVAL_CHECK_OUTPUT``, ``### BEGIN SOLUTION`` ...) are
  removed from the code the HTML shows: they are for nbval and the student edition, not
  for readers. The notebooks keep them.
* Exercises are numbered per chapter (Exercise 2.1, 2.2, ...). Jupyter Book numbers
  enumerables per chapter only with ``numbered: true`` in the table of contents, which
  would number the chapters a second time (their titles already start "2. ..."), so the
  chapter's number is taken from its file name (``chapters/02_...``) instead.
* ``book.css``: long inline code may wrap, and wide tables scroll inside themselves on a
  phone, so that no page scrolls sideways as a whole at 400 px.
* A script that two extensions add with the same content (sphinx-thebe's
  ``const THEBE_JS_URL`` declaration, which throws "redeclaration" in the browser) is
  written to each page once.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

STATIC = Path(__file__).resolve().parent / "static"  # book.css

MARKER_LINE = re.compile(
    r"^[ \t]*(#[ \t]*NBVAL_[A-Z_]+|###[ \t]*(BEGIN|END)[ \t]+(SOLUTION|HIDDEN TESTS))[ \t]*\n?", re.M
)
CHAPTER_FILE = re.compile(r"(?:^|/)chapters/(\d+)_")


def strip_markers(app, doctree) -> None:
    """Drop marker lines from every code block of a page (its text and its highlighted source)."""
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if not MARKER_LINE.search(text):
            continue
        cleaned = MARKER_LINE.sub("", text)
        block.children = [nodes.Text(cleaned)]
        block.rawsource = cleaned


def number_exercises_per_chapter(app, env) -> list[str]:
    """Renumber each chapter's exercises as (chapter, n) in page order: "Exercise 2.1".

    Runs after Sphinx has numbered every enumerable (``env-get-updated``); returns no pages
    to rewrite beyond those Sphinx already rewrites.
    """
    for docname, by_type in env.toc_fignumbers.items():
        chapter = CHAPTER_FILE.search(docname)
        exercises = by_type.get("exercise")
        if not chapter or not exercises:
            continue
        in_order = sorted(exercises, key=lambda label: exercises[label])
        by_type["exercise"] = {label: (int(chapter.group(1)), n) for n, label in enumerate(in_order, 1)}
    return []


def one_copy_of_each_script(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of several identical <script> entries of a page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # The same inline script arrives once with file name None and once with "" (it is
        # added both to Sphinx' registry and to the builder), so compare by what is written.
        key = (getattr(script, "filename", script) or "", sorted(getattr(script, "attributes", {}).items()))
        if repr(key) not in seen:
            seen.add(repr(key))
            unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax's, per page) add to this very list


def add_static_folder(app, config) -> None:
    config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", add_static_folder)
    app.add_css_file("book.css")
    app.connect("doctree-read", strip_markers)
    # After Sphinx' toctree collector numbers the enumerables (default priority 500).
    app.connect("env-get-updated", number_exercises_per_chapter, priority=900)
    # Early: a later handler may return a template name, which ends the event.
    app.connect("html-page-context", one_copy_of_each_script, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
