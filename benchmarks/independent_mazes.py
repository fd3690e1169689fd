"""Mazes from a generator independent of reasonkit's, and a checker of predictions, for held-out accuracy claims.

    python benchmarks/independent_mazes.py generate --out mazes.csv --n 1500 --seed 9001 \
        --styles prim,prim_loops,open_walls,division,dense_walls
    reasonkit predict runs/maze-15x15-demo --input mazes.csv --out preds.csv
    python benchmarks/independent_mazes.py check preds.csv

Nothing here imports reasonkit: the mazes, their S and G and their label paths are made by other algorithms and
another random generator than the project's, and the checker has its own breadth-first search. Styles, on a
``--size`` grid (default 15), every maze with a shortest S-G path of at least ``--min-len`` moves (default 20):

- ``prim``: randomised Prim on the lattice of every other cell (random parity per axis), a perfect maze;
  ``prim_loops``: the same with each remaining lattice wall knocked out with probability U(0.03, 0.2).
- ``dfs``: a depth-first (recursive backtracker) perfect maze, long corridors; ``dfs_loops``: knocked out with
  probability U(0.03, 0.1).
- ``division``: recursive division (long straight walls, one gap each), knocked out with probability U(0, 0.1).
- ``open_walls``: independent random walls at a density U(0.2, 0.35); ``dense_walls``: U(0.3, 0.5), the range of
  Lehnert et al.'s random-wall mazes behind Maze-Hard.

S is uniform over open cells and G uniform over the cells at least ``--min-len`` moves away; the label marks one
shortest path chosen at random. The CSV is in the Maze-Hard format (``source,question,answer,rating``; ``#`` wall,
space open, ``S``, ``G``, ``o`` path). ``check`` reads the ``question`` and ``prediction`` columns that ``reasonkit
predict`` writes: a prediction is correct if it changes only open cells, into ``o``, and its ``o`` cells are a
walk S -> G of unit steps of exactly the shortest length. It prints the accuracy overall, by ``source`` and by
path length, and how often it agrees with a ``correct`` column if there is one.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict, deque

import numpy as np

WALL, OPEN, START, GOAL, PATH = "#", " ", "S", "G", "o"
STYLES = ("prim", "prim_loops", "dfs", "dfs_loops", "division", "open_walls", "dense_walls")
_LATTICE_STEPS = ((2, 0), (-2, 0), (0, 2), (0, -2))


def _distances(free: np.ndarray, src: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """BFS distances from ``src`` (-1 unreachable) and shortest-path counts capped at 2."""
    h, w = free.shape
    dist, count = np.full((h, w), -1, int), np.zeros((h, w), int)
    dist[src], count[src] = 0, 1
    queue = deque([src])
    while queue:
        r, c = queue.popleft()
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < h and 0 <= nc < w and free[nr, nc]:
                if dist[nr, nc] < 0:
                    dist[nr, nc] = dist[r, c] + 1
                    queue.append((nr, nc))
                if dist[nr, nc] == dist[r, c] + 1:
                    count[nr, nc] = min(2, count[nr, nc] + count[r, c])
    return dist, count


def _lattice(rng: np.random.Generator, n: int):
    free = np.zeros((n, n), bool)
    off_r, off_c = int(rng.integers(2)), int(rng.integers(2))
    cells = [(r, c) for r in range(off_r, n, 2) for c in range(off_c, n, 2)]
    return free, cells, set(cells)


def _knock(rng: np.random.Generator, free: np.ndarray, cells, cellset, knock: float) -> None:
    for r, c in cells:
        for dr, dc in ((2, 0), (0, 2)):
            if (r + dr, c + dc) in cellset and not free[r + dr // 2, c + dc // 2] and rng.random() < knock:
                free[r + dr // 2, c + dc // 2] = True


def prim(rng: np.random.Generator, n: int, knock: float) -> np.ndarray:
    free, cells, cellset = _lattice(rng, n)
    start = cells[int(rng.integers(len(cells)))]
    free[start] = True
    inside = {start}
    frontier = [
        (start, (start[0] + dr, start[1] + dc))
        for dr, dc in _LATTICE_STEPS
        if (start[0] + dr, start[1] + dc) in cellset
    ]
    while frontier:
        a, b = frontier.pop(int(rng.integers(len(frontier))))
        if b in inside:
            continue
        inside.add(b)
        free[b] = True
        free[(a[0] + b[0]) // 2, (a[1] + b[1]) // 2] = True
        frontier += [
            (b, (b[0] + dr, b[1] + dc))
            for dr, dc in _LATTICE_STEPS
            if (b[0] + dr, b[1] + dc) in cellset and (b[0] + dr, b[1] + dc) not in inside
        ]
    if knock > 0:
        _knock(rng, free, cells, cellset, knock)
    return free


def dfs(rng: np.random.Generator, n: int, knock: float) -> np.ndarray:
    free, cells, cellset = _lattice(rng, n)
    cur = cells[int(rng.integers(len(cells)))]
    free[cur] = True
    stack, seen = [cur], {cur}
    while stack:
        r, c = stack[-1]
        options = [
            (r + dr, c + dc)
            for dr, dc in _LATTICE_STEPS
            if (r + dr, c + dc) in cellset and (r + dr, c + dc) not in seen
        ]
        if not options:
            stack.pop()
            continue
        nr, nc = options[int(rng.integers(len(options)))]
        free[nr, nc] = True
        free[(r + nr) // 2, (c + nc) // 2] = True
        seen.add((nr, nc))
        stack.append((nr, nc))
    if knock > 0:
        _knock(rng, free, cells, cellset, knock)
    return free


def division(rng: np.random.Generator, n: int, knock: float) -> np.ndarray:
    """Recursive division on the lattice of even cells: every passage open, then each region split by a line of
    closed passages with one random gap, recursively; then passages knocked open as in :func:`prim`."""
    m = (n + 1) // 2
    free = np.zeros((n, n), bool)
    free[0::2, 0::2] = True
    free[0::2, 1::2] = True
    free[1::2, 0::2] = True

    def split(r0, c0, r1, c1):  # lattice rows r0..r1-1, columns c0..c1-1
        h, w = r1 - r0, c1 - c0
        if h < 2 and w < 2:
            return
        horizontal = h > w or (h == w and rng.random() < 0.5)
        if h < 2:
            horizontal = False
        if w < 2:
            horizontal = True
        if horizontal:
            k, gap = int(rng.integers(r0, r1 - 1)), int(rng.integers(c0, c1))
            for c in range(c0, c1):
                if c != gap:
                    free[2 * k + 1, 2 * c] = False
            split(r0, c0, k + 1, c1)
            split(k + 1, c0, r1, c1)
        else:
            k, gap = int(rng.integers(c0, c1 - 1)), int(rng.integers(r0, r1))
            for r in range(r0, r1):
                if r != gap:
                    free[2 * r, 2 * k + 1] = False
            split(r0, c0, r1, k + 1)
            split(r0, k + 1, r1, c1)

    split(0, 0, m, m)
    if knock > 0:
        for r in range(0, n, 2):
            for c in range(0, n, 2):
                for dr, dc in ((2, 0), (0, 2)):
                    if r + dr < n and c + dc < n and not free[r + dr // 2, c + dc // 2] and rng.random() < knock:
                        free[r + dr // 2, c + dc // 2] = True
    return free


def _walls(rng: np.random.Generator, n: int, style: str) -> np.ndarray:
    if style == "prim":
        return prim(rng, n, 0.0)
    if style == "prim_loops":
        return prim(rng, n, rng.uniform(0.03, 0.2))
    if style == "dfs":
        return dfs(rng, n, 0.0)
    if style == "dfs_loops":
        return dfs(rng, n, rng.uniform(0.03, 0.1))
    if style == "division":
        return division(rng, n, rng.uniform(0.0, 0.1))
    if style == "dense_walls":
        return rng.random((n, n)) >= rng.uniform(0.3, 0.5)
    if style == "open_walls":
        return rng.random((n, n)) >= rng.uniform(0.2, 0.35)
    raise ValueError(f"unknown style {style!r}; known: {', '.join(STYLES)}")


def make_maze(rng: np.random.Generator, n: int, style: str, min_len: int) -> tuple[str, str, int, bool]:
    """(question, answer, shortest length, several shortest paths) of one maze."""
    while True:
        free = _walls(rng, n, style)
        cells = np.argwhere(free)
        s = tuple(int(v) for v in cells[int(rng.integers(len(cells)))])
        dist, count = _distances(free, s)
        far = np.argwhere(dist >= min_len)
        if len(far) == 0:
            continue
        g = tuple(int(v) for v in far[int(rng.integers(len(far)))])
        question = np.where(free, OPEN, WALL).astype("<U1")
        question[s], question[g] = START, GOAL
        answer = question.copy()
        r, c = g
        while dist[r, c] > 1:  # back from G to a random neighbour one move closer to S
            options = [
                (nr, nc)
                for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1))
                if 0 <= nr < n and 0 <= nc < n and dist[nr, nc] == dist[r, c] - 1
            ]
            r, c = options[int(rng.integers(len(options)))]
            answer[r, c] = PATH
        return "".join(question.ravel()), "".join(answer.ravel()), int(dist[g]), bool(count[g] > 1)


def shortest_length(question: str) -> int:
    """The moves of a shortest S-G path of a square maze string (-1 if G cannot be reached)."""
    n = int(round(len(question) ** 0.5))
    free = np.array([ch != WALL for ch in question]).reshape(n, n)
    s, g = divmod(question.index(START), n), divmod(question.index(GOAL), n)
    return int(_distances(free, s)[0][g])


def is_shortest(question: str, prediction: str, length: int) -> bool:
    """Whether ``prediction`` is ``question`` with exactly the cells of one shortest S-G path (``length`` moves,
    from :func:`shortest_length`) marked ``o``."""
    n = int(round(len(question) ** 0.5))
    if len(prediction) != len(question) or n * n != len(question) or question.count("S") != 1:
        return False
    if any(a != b and not (a == OPEN and b == PATH) for a, b in zip(question, prediction)):
        return False
    s, g = divmod(question.index(START), n), divmod(question.index(GOAL), n)
    marked = {divmod(i, n) for i, ch in enumerate(prediction) if ch == PATH}
    if length < 1 or len(marked) != length - 1:
        return False
    cur, seen = s, set()
    for _ in range(length - 1):  # each step to an unvisited marked neighbour
        r, c = cur
        nxt = [p for p in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)) if p in marked and p not in seen]
        if not nxt:
            return False
        cur = nxt[0]
        seen.add(cur)
    return abs(cur[0] - g[0]) + abs(cur[1] - g[1]) == 1 and seen == marked


def _bucket(length: int) -> str:
    return "20-24" if length < 25 else "25-29" if length < 30 else "30-39" if length < 40 else "40+"


def generate(args: argparse.Namespace) -> int:
    styles = args.styles.split(",")
    unknown = sorted(set(styles) - set(STYLES))
    if unknown:
        sys.exit(f"independent_mazes.py: unknown style(s) {', '.join(unknown)}; known: {', '.join(STYLES)}")
    rng = np.random.default_rng(args.seed)
    stats: dict[str, list] = defaultdict(list)
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "question", "answer", "rating"])
        for i in range(args.n):
            style = styles[i % len(styles)]
            question, answer, length, several = make_maze(rng, args.size, style, args.min_len)
            writer.writerow([f"independent-{style}", question, answer, "0"])
            stats[style].append((length, several))
    summary = {
        style: {
            "n": len(rows),
            "mean_len": round(float(np.mean([r[0] for r in rows])), 1),
            "max_len": max(r[0] for r in rows),
            "several_shortest": round(float(np.mean([r[1] for r in rows])), 3),
        }
        for style, rows in stats.items()
    }
    print(json.dumps(summary))
    return 0


def check(args: argparse.Namespace) -> int:
    with open(args.predictions, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "prediction" not in rows[0]:
        sys.exit(
            f"independent_mazes.py: {args.predictions} has no 'prediction' column (write it with reasonkit predict)"
        )
    by_source, by_length, agree = defaultdict(list), defaultdict(list), []
    for row in rows:
        length = shortest_length(row["question"])
        good = is_shortest(row["question"], row["prediction"], length)
        by_source[row["source"]].append(good)
        by_length[_bucket(length)].append(good)
        if row.get("correct", "") != "":
            agree.append((row["correct"].strip().lower() in ("1", "true")) == good)
    every = [v for values in by_source.values() for v in values]
    out = {
        "exact": round(sum(every) / len(every), 4),
        "count": len(every),
        "by_source": {k: [sum(v), len(v)] for k, v in sorted(by_source.items())},
        "by_length": {k: [sum(v), len(v)] for k, v in sorted(by_length.items())},
    }
    if agree:
        out["agrees_with_correct_column"] = [sum(agree), len(agree)]
    print(json.dumps(out))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a CSV of independent mazes")
    gen.add_argument("--out", required=True)
    gen.add_argument("--n", type=int, default=900)
    gen.add_argument("--size", type=int, default=15)
    gen.add_argument("--min-len", type=int, default=20)
    gen.add_argument("--seed", type=int, default=2024)
    gen.add_argument("--styles", default="prim,prim_loops,open_walls", help=f"comma-separated, of {', '.join(STYLES)}")
    chk = sub.add_parser("check", help="score a reasonkit predict CSV")
    chk.add_argument("predictions")
    args = parser.parse_args(argv)
    return generate(args) if args.command == "generate" else check(args)


if __name__ == "__main__":
    sys.exit(main())
