"""matplotlib and Pillow, imported on demand with a message naming the extra that installs them."""

from __future__ import annotations

from pathlib import Path

from ..errors import MissingDependencyError

__all__ = ["pyplot", "pil_image", "save_figure"]

_INSTALL = "pictures need matplotlib and Pillow: pip install 'reasonkit[viz]'"


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError(_INSTALL) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def pil_image():
    """``PIL.Image`` (Pillow), which writes the animated GIFs."""
    try:
        from PIL import Image
    except ImportError:
        raise MissingDependencyError(_INSTALL) from None
    return Image


def save_figure(fig, out: str | Path, dpi: int = 120) -> Path:
    """Write a figure (its parent directories made) and close it; returns the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    pyplot().close(fig)
    return out
