"""Atomic, resumable checkpoints that rebuild their own model.

The checkpoint format, read and written (used by training and by evaluation, so it sits below both).

A checkpoint is a directory ``<run>/checkpoints/step_<N>/`` holding::

    spec.json          the model's ReasonerSpec (the checkpoint rebuilds its own model)
    model.safetensors  the weights (puzzle table included), without torch.compile or DDP prefixes
    ema.safetensors    the EMA weights, if the run keeps an EMA (used for evaluation)
    trainer.pt         optimizer, EMA step, persistent carry, RNG and loader states (tensors and plain values only,
                       loaded with ``torch.load(weights_only=True)``: nothing is unpickled)
    meta.json          format version, step, reasonkit version, the size and SHA-256 of every file, the config

It is written into a hidden temporary sibling, every file fsynced, then renamed into place in one step, so a
process killed at any moment (kill -9 during the write included) leaves either the complete checkpoint or none;
the previous checkpoints stay intact. Only the last ``keep_last`` are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import torch
from safetensors.torch import load_file, save_file

from ._version import __version__
from .errors import CheckpointError

__all__ = [
    "FORMAT_VERSION",
    "CheckpointError",
    "Checkpoint",
    "save_checkpoint",
    "latest_checkpoint",
    "resolve_checkpoint",
    "verify_checkpoint",
    "load_checkpoint",
    "find_resume_checkpoint",
    "load_model",
    "list_checkpoints",
    "check_weights",
    "clean_partial",
]

FORMAT_VERSION = 1
_STEP_DIR = re.compile(r"^step_(\d+)$")


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _tensors(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in state.items()}


def list_checkpoints(run_dir: str | Path) -> list[tuple[int, Path]]:
    """Complete checkpoints of a run, oldest first, as ``(step, path)``."""
    root = Path(run_dir) / "checkpoints"
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _STEP_DIR.match(child.name)
        if match and (child / "meta.json").is_file():
            found.append((int(match.group(1)), child))
    return sorted(found)


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The newest complete checkpoint of a run, or None."""
    found = list_checkpoints(run_dir)
    return found[-1][1] if found else None


def save_checkpoint(
    run_dir: str | Path,
    step: int,
    *,
    spec_json: str,
    model_state: dict[str, torch.Tensor],
    trainer_state: dict[str, Any],
    meta: dict[str, Any] | None = None,
    ema_state: dict[str, torch.Tensor] | None = None,
    keep_last: int = 3,
) -> Path:
    """Write checkpoint ``step`` atomically and prune all but the newest ``keep_last``; returns its path."""
    root = Path(run_dir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step_{step:09d}"
    tmp = root / f".tmp-step_{step:09d}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    save_file(_tensors(model_state), str(tmp / "model.safetensors"), metadata={"format": str(FORMAT_VERSION)})
    if ema_state is not None:
        save_file(_tensors(ema_state), str(tmp / "ema.safetensors"), metadata={"format": str(FORMAT_VERSION)})
    torch.save(trainer_state, tmp / "trainer.pt")
    (tmp / "spec.json").write_text(spec_json)
    files = {child.name: {"bytes": child.stat().st_size, "sha256": _sha256(child)} for child in sorted(tmp.iterdir())}
    info = {
        "format_version": FORMAT_VERSION,
        "step": step,
        "reasonkit_version": __version__,
        "files": files,
        **(meta or {}),
    }
    (tmp / "meta.json").write_text(json.dumps(info, indent=2, default=str))
    for child in tmp.iterdir():
        _fsync_file(child)
    _fsync_dir(tmp)
    if final.exists():  # the same step written again (a resumed run): move the old one aside first
        trash = root / f".old-step_{step:09d}-{os.getpid()}"
        os.rename(final, trash)
        os.rename(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.rename(tmp, final)
    _fsync_dir(root)
    if keep_last > 0:
        for _, old in list_checkpoints(run_dir)[:-keep_last]:
            shutil.rmtree(old, ignore_errors=True)
    return final


def clean_partial(run_dir: str | Path) -> None:
    """Remove temporary directories left by a process killed while writing a checkpoint."""
    root = Path(run_dir) / "checkpoints"
    if root.is_dir():
        for child in root.iterdir():
            if child.name.startswith((".tmp-", ".old-")):
                shutil.rmtree(child, ignore_errors=True)


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint directory from a checkpoint directory or a run directory (its newest checkpoint)."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} does not exist (give a run directory or a checkpoint directory)")
    if (path / "meta.json").is_file():
        return path
    latest = latest_checkpoint(path)
    if latest is None:
        raise CheckpointError(f"{path} is neither a checkpoint (no meta.json) nor a run directory with checkpoints")
    return latest


@dataclass
class Checkpoint:
    """A loaded checkpoint: its path, metadata, spec JSON, weights, optional EMA weights and trainer state."""

    path: Path
    meta: dict[str, Any]
    spec_json: str
    model_state: dict[str, torch.Tensor]
    ema_state: dict[str, torch.Tensor] | None
    trainer_state: dict[str, Any] | None


def _safetensors_header(path: Path) -> None:
    """Check a safetensors file's header and length before any tensor is read (CheckpointError if damaged)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{path} is truncated ({size} bytes, no header)")
        n = int.from_bytes(head, "little")
        if n <= 0 or 8 + n > size:
            raise CheckpointError(f"{path} is truncated or not a safetensors file (header of {n} bytes in {size})")
        try:
            header = json.loads(f.read(n))
        except ValueError:
            raise CheckpointError(f"{path} has a damaged header (not JSON)") from None
    ends = [
        v["data_offsets"][1]
        for k, v in header.items()
        if k != "__metadata__"
        and isinstance(v, dict)
        and isinstance(v.get("data_offsets"), list)
        and len(v["data_offsets"]) == 2
    ]
    if len(ends) != len([k for k in header if k != "__metadata__"]) or 8 + n + max(ends, default=0) != size:
        raise CheckpointError(
            f"{path} is truncated or damaged: its header describes "
            f"{8 + n + max(ends, default=0)} bytes, the file has {size}"
        )


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{path}/meta.json is not readable JSON ({err}); the checkpoint is damaged") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}/meta.json must hold a JSON object; the checkpoint is damaged")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CheckpointError(
            f"{path}/meta.json: format_version {version!r} is not an integer; the checkpoint is "
            "damaged or was not written by reasonkit"
        )
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format version {version}, newer than this reasonkit supports "
            f"({FORMAT_VERSION}); upgrade reasonkit to read it"
        )
    return meta


def verify_checkpoint(path: str | Path) -> dict[str, Any]:
    """Check a checkpoint's files (presence, recorded sizes, safetensors headers) without reading tensors; returns
    its metadata. Raises CheckpointError naming the damaged file."""
    path = Path(path)
    meta = _read_meta(path)
    for name in ("spec.json", "model.safetensors"):
        if not (path / name).is_file():
            raise CheckpointError(f"{path} is incomplete: {name} is missing")
    files = meta.get("files") or {}
    if not isinstance(files, dict):
        raise CheckpointError(f"{path}/meta.json: 'files' must map file names to sizes; the checkpoint is damaged")
    for name, record in files.items():
        file = path / name
        if not file.is_file():
            raise CheckpointError(f"{path} is incomplete: {name} is missing")
        size = record.get("bytes") if isinstance(record, dict) else record
        if file.stat().st_size != size:
            raise CheckpointError(f"{file} has {file.stat().st_size} bytes, {size} were written: it is damaged")
        if isinstance(record, dict) and record.get("sha256") != _sha256(file):
            raise CheckpointError(
                f"{file} does not hold the bytes that were written (its SHA-256 differs): it is damaged"
            )
    for name in ("model.safetensors", "ema.safetensors"):
        if (path / name).is_file():
            _safetensors_header(path / name)
    return meta


def load_checkpoint(
    path: str | Path, *, trainer_state: bool = True, map_location: str | torch.device = "cpu"
) -> Checkpoint:
    """Read a checkpoint (or a run's newest) without unpickling anything, after :func:`verify_checkpoint`."""
    path = resolve_checkpoint(path)
    meta = verify_checkpoint(path)
    ema_file = path / "ema.safetensors"
    state = None
    try:
        if trainer_state and (path / "trainer.pt").is_file():
            # weights_only: tensors and plain values only; a pickled payload is refused, never run.
            state = torch.load(path / "trainer.pt", map_location=map_location, weights_only=True)
        spec_json = (path / "spec.json").read_text()
        weights = load_file(str(path / "model.safetensors"))
        ema = load_file(str(ema_file)) if ema_file.is_file() else None
    except Exception as err:  # torch and safetensors raise many types for damaged files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        plain = reason.lower().replace("_", " ")
        if "weights only" in plain or "pickl" in plain:
            reason = "it holds objects other than tensors and plain values, which reasonkit never unpickles"
        raise CheckpointError(
            f"{path} cannot be read ({reason}); it is damaged or was not written by reasonkit"
        ) from None
    return Checkpoint(path, meta, spec_json, weights, ema, state)


def find_resume_checkpoint(run_dir: str | Path) -> tuple[Optional[Checkpoint], list[str]]:
    """The newest checkpoint of a run that loads, and a message for each newer one that was damaged."""
    skipped = []
    for _, path in reversed(list_checkpoints(run_dir)):
        try:
            return load_checkpoint(path), skipped
        except CheckpointError as err:
            skipped.append(f"skipping damaged checkpoint: {err}")
    return None, skipped


def check_weights(model: torch.nn.Module, state: dict[str, torch.Tensor], where: Path) -> None:
    """Raise a CheckpointError naming the differences if ``state`` does not fit ``model`` exactly."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    shapes = [
        f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
        for k in sorted(set(own) & set(state))
        if own[k].shape != state[k].shape
    ]
    if missing or extra or shapes:
        parts = []
        if missing:
            parts.append(f"missing {missing[:5]}{' ...' if len(missing) > 5 else ''}")
        if extra:
            parts.append(f"unexpected {extra[:5]}{' ...' if len(extra) > 5 else ''}")
        if shapes:
            parts.append("shape mismatch " + "; ".join(shapes[:5]))
        raise CheckpointError(f"checkpoint {where} is from another model: " + ", ".join(parts))


def load_model(path: str | Path, *, ema: bool = True, device: str | torch.device = "cpu"):
    """Rebuild the model stored in a checkpoint (or a run's newest) and load its weights (EMA ones if present)."""
    from .builder import get_spec

    ckpt = load_checkpoint(path, trainer_state=False)
    try:
        spec = get_spec(json.loads(ckpt.spec_json))
    except (ValueError, KeyError) as err:
        raise CheckpointError(
            f"{ckpt.path}/spec.json does not describe a model this reasonkit can build: {err}"
        ) from None
    model = spec.build()
    weights = ckpt.ema_state if ema and ckpt.ema_state is not None else ckpt.model_state
    check_weights(model, weights, ckpt.path)
    model.load_state_dict(weights)
    return model.to(device), ckpt
