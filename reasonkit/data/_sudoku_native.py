"""An optional C build of the Sudoku solver in ``_sudoku_solver`` (same algorithm, same ratings, ~28x faster).

The C source below is compiled on first use with the system C compiler into a cache directory
(``$REASONKIT_CACHE`` or ``~/.cache/reasonkit``) and loaded with ctypes. Without a compiler, or with
``REASONKIT_NO_NATIVE=1``, ``load()`` returns None and the pure-Python solver is used; results are identical.
When the C build is not used because no compiler was found, or compiling or loading failed, ``load()`` warns
once (a RuntimeWarning naming the reason); ``REASONKIT_NO_NATIVE=1`` is silent.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Optional

__all__ = ["load"]

C_SOURCE = r"""
#include <stdint.h>
#include <string.h>

typedef struct {
    int n, cells, nunits, npeers, limit;
    unsigned full;
    const int *units, *peers;
    long rating, nodes;
    int found;
    int8_t *out;
} Ctx;

static int propagate(uint16_t *c, int *todo, int nt, const Ctx *g) {
    for (;;) {
        while (nt) {
            int cell = todo[--nt];
            uint16_t b = c[cell];
            const int *p = g->peers + cell * g->npeers;
            for (int k = 0; k < g->npeers; k++) {
                int q = p[k];
                uint16_t pc = c[q];
                if (pc & b) {
                    pc &= (uint16_t)~b;
                    if (!pc) return 0;
                    c[q] = pc;
                    if (!(pc & (pc - 1))) todo[nt++] = q;
                }
            }
        }
        for (int u = 0; u < g->nunits; u++) {
            const int *U = g->units + u * g->n;
            unsigned once = 0, twice = 0;
            for (int i = 0; i < g->n; i++) { unsigned x = c[U[i]]; twice |= once & x; once |= x; }
            if (once != g->full) return 0;
            once &= ~twice;
            if (once) {
                for (int i = 0; i < g->n; i++) {
                    unsigned x = c[U[i]], h = x & once;
                    if (h && x != h) {
                        if (h & (h - 1)) return 0;
                        c[U[i]] = (uint16_t)h;
                        todo[nt++] = U[i];
                    }
                }
            }
        }
        if (!nt) return 1;
    }
}

static int search(const uint16_t *c, Ctx *g) {
    int best = -1, bestk = 99;
    for (int i = 0; i < g->cells; i++) {
        unsigned x = c[i];
        if (x & (x - 1)) {
            int k = __builtin_popcount(x);
            if (k < bestk) { best = i; bestk = k; if (k == 2) break; }
        }
    }
    if (best < 0) {
        int8_t *o = g->out + g->found * g->cells;
        for (int i = 0; i < g->cells; i++) o[i] = (int8_t)(32 - __builtin_clz((unsigned)c[i]));
        g->found++;
        return g->found >= g->limit;
    }
    uint16_t nc[128];
    int todo[512];
    unsigned x = c[best];
    while (x) {
        unsigned b = x & (0u - x);
        x ^= b;
        memcpy(nc, c, sizeof(uint16_t) * g->cells);
        nc[best] = (uint16_t)b;
        todo[0] = best;
        g->nodes++;
        if (propagate(nc, todo, 1, g)) {
            if (search(nc, g)) return 1;
        } else if (!g->found) {
            g->rating++;
        }
    }
    return 0;
}

int rk_solve(const int8_t *grid, int n, const int *units, int nunits, const int *peers, int npeers, int limit,
             int8_t *out, long *rating, long *nodes) {
    Ctx g = {n, n * n, nunits, npeers, limit, (1u << n) - 1u, units, peers, 0, 1, 0, out};
    uint16_t c[128];
    int todo[512], nt = 0;
    for (int i = 0; i < g.cells; i++) {
        if (grid[i]) { c[i] = (uint16_t)(1u << (grid[i] - 1)); todo[nt++] = i; }
        else c[i] = (uint16_t)g.full;
    }
    if (propagate(c, todo, nt, &g)) search(c, &g);
    *rating = g.rating;
    *nodes = g.nodes;
    return g.found;
}
"""

_lib: Optional[ctypes.CDLL] = None
_tried = False


def _cache_dir() -> Path:
    return Path(os.environ.get("REASONKIT_CACHE", Path.home() / ".cache" / "reasonkit"))


class _CompileError(RuntimeError):
    pass


def _compile() -> Optional[Path]:
    """The cached library, compiling it if needed; None without a compiler, _CompileError if compiling fails."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return None
    digest = hashlib.sha256(C_SOURCE.encode()).hexdigest()[:16]
    target = _cache_dir() / f"sudoku_solver_{digest}.so"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "solver.c"
        src.write_text(C_SOURCE)
        lib = Path(tmp) / "solver.so"
        try:
            res = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], capture_output=True)
        except OSError as e:
            raise _CompileError(f"could not run the C compiler {cc!r}: {e}") from None
        if res.returncode != 0:
            err = res.stderr.decode(errors="replace").strip()
            if len(err) > 500:
                err = err[:500] + " ..."
            raise _CompileError(f"{cc} failed (exit {res.returncode}): {err or 'no error output'}")
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy(lib, partial)
        os.replace(partial, target)  # atomic: concurrent builders never see a half-written library
    return target


def load() -> Optional[ctypes.CDLL]:
    """The compiled solver library, compiling it if needed; None when unavailable or disabled."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    if os.environ.get("REASONKIT_NO_NATIVE"):
        return None
    slow = "using the pure-Python Sudoku solver (same results, ~28x slower)"
    try:
        path = _compile()
        if path is None:
            warnings.warn(f"no C compiler found (set CC; the C solver is optional): {slow}", RuntimeWarning,
                          stacklevel=2)
            return None
        lib = ctypes.CDLL(str(path))
        lib.rk_solve.restype = ctypes.c_int
        lib.rk_solve.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_long),
                                 ctypes.POINTER(ctypes.c_long)]
        _lib = lib
    except Exception as e:
        warnings.warn(f"the C Sudoku solver could not be built or loaded ({e}); {slow}", RuntimeWarning,
                      stacklevel=2)
        _lib = None
    return _lib
