"""matplotlib, imported on demand with a message naming the extra that installs it."""

from __future__ import annotations

from ..errors import MissingDependencyError

__all__ = ["pyplot"]


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("pictures need matplotlib and Pillow: pip install 'reasonkit[viz]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt
