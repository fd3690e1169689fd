/* The Sudoku solver of reasonkit.tasks.sudoku.solver in C, as a CPython extension (same search, same ratings).
 *
 * Built at install time as an optional extension (setup.py); without it the pure-Python solver runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

static int rk_solve(const int8_t *grid, int n, const int *units, int nunits, const int *peers, int npeers, int limit,
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


/* solve(grid, n, units, nunits, peers, npeers, limit) -> (solutions bytes, rating, nodes).
 * grid: n*n bytes (0 blank); units and peers: native int arrays as bytes; solutions: found * n*n bytes. */
static PyObject *py_solve(PyObject *self, PyObject *args) {
    Py_buffer grid, units, peers;
    int n, nunits, npeers, limit;
    if (!PyArg_ParseTuple(args, "y*iy*iy*ii", &grid, &n, &units, &nunits, &peers, &npeers, &limit)) return NULL;
    PyObject *result = NULL;
    int cells = n * n;
    if (n < 1 || n > 11 || grid.len != cells || limit < 1 || units.len < (Py_ssize_t)(sizeof(int) * nunits * n)
        || peers.len < (Py_ssize_t)(sizeof(int) * cells * npeers)) {
        PyErr_SetString(PyExc_ValueError, "solve: inconsistent grid, unit or peer tables");
        goto done;
    }
    int8_t *out = PyMem_Malloc((size_t)cells * limit);
    if (!out) { PyErr_NoMemory(); goto done; }
    long rating = 0, nodes = 0;
    int found;
    Py_BEGIN_ALLOW_THREADS
    found = rk_solve((const int8_t *)grid.buf, n, (const int *)units.buf, nunits, (const int *)peers.buf, npeers,
                     limit, out, &rating, &nodes);
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("(y#ll)", (const char *)out, (Py_ssize_t)found * cells, rating, nodes);
    PyMem_Free(out);
done:
    PyBuffer_Release(&grid);
    PyBuffer_Release(&units);
    PyBuffer_Release(&peers);
    return result;
}

static PyMethodDef methods[] = {
    {"solve", py_solve, METH_VARARGS, "Search for up to limit solutions; returns (solutions, rating, nodes)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_csolver", NULL, -1, methods};

PyMODINIT_FUNC PyInit__csolver(void) { return PyModule_Create(&module); }
