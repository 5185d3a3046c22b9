"""Name a computed value so that the chapter's prose can quote it: MyST-NB's ``glue``, anywhere.

In the built book, :func:`myst_nb.glue` stores the value in the cell's output and the
prose shows it with ``{glue:text}`name```. In Colab or plain Jupyter, where myst-nb is
not installed, :func:`glue` shows the value when ``display=True`` and otherwise does
nothing, so the chapter runs unchanged there.
"""

from __future__ import annotations


def glue(name: str, value, display: bool = True) -> None:
    """Store ``value`` under ``name`` for the book's ``{glue}`` roles (see the module docstring).

    Raises TypeError when ``name`` is not a non-empty string.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab, plain Jupyter: nothing reads the stored value
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
