"""The pictures carry what they claim: rendered with Agg, the pixels at a cell's position have its colour."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from reasonkit.errors import MissingDependencyError
from reasonkit.registry import list_kinds
from reasonkit.tasks.maze.codec import encode as maze_encode
from reasonkit.tasks.sudoku.codec import encode as sudoku_encode
from reasonkit.viz import draw_arc, draw_maze, draw_sudoku
from reasonkit.viz._mpl import pyplot
from reasonkit.viz.reasoning import DRAWINGS
from reasonkit.viz.strip import render, save_gif, save_strip


def _pixels(draw):
    """Draw on one axes; the rendered RGB array and a function giving the colour at data point (x, y)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 3), dpi=100)
    draw(ax)
    image = render(fig).astype(float) / 255
    height = image.shape[0]

    def at(x: float, y: float) -> np.ndarray:
        px, py = ax.transData.transform((x, y))
        return image[int(round(height - py)), int(round(px))]

    plt.close(fig)
    return image, at


def _cell(at, r: int, c: int) -> np.ndarray:
    return at(c + 0.2, r + 0.2)  # a corner of the cell, away from its digit and its borders


SOLVED = np.array([1, 2, 3, 4, 3, 4, 1, 2, 2, 1, 4, 3, 4, 3, 2, 1])


def test_a_violated_sudoku_cell_is_red_and_a_changed_one_grey():
    puzzle = SOLVED.copy()
    puzzle[[1, 2, 5, 6, 11]] = 0
    wrong = SOLVED.copy()
    wrong[5] = 3  # row 1 now holds two 3s: cells (1, 0) and (1, 1)
    previous = SOLVED.copy()
    previous[15] = 2  # cell (3, 3) changed from 2 to 1
    _, at = _pixels(
        lambda ax: draw_sudoku.draw_sudoku(ax, sudoku_encode(wrong), sudoku_encode(puzzle), sudoku_encode(previous))
    )
    np.testing.assert_allclose(_cell(at, 1, 1), draw_sudoku.VIOLATED, atol=0.02)
    np.testing.assert_allclose(_cell(at, 1, 0), draw_sudoku.VIOLATED, atol=0.02)
    np.testing.assert_allclose(_cell(at, 3, 3), draw_sudoku.CHANGED, atol=0.02)
    np.testing.assert_allclose(_cell(at, 2, 2), (1, 1, 1), atol=0.02)
    _, clean = _pixels(lambda ax: draw_sudoku.draw_sudoku(ax, sudoku_encode(SOLVED), sudoku_encode(puzzle)))
    assert all(np.allclose(_cell(clean, r, c), 1, atol=0.02) for r in range(4) for c in range(4)), "no false red"


def test_conflicting_cells_agree_with_the_validity_check():
    from reasonkit.tasks.sudoku.rules import conflicting_cells, is_valid_solution

    rng = np.random.default_rng(0)
    for grid in [SOLVED, *rng.integers(1, 5, (200, 16))]:
        assert conflicting_cells(grid, 4).any() == (not is_valid_solution(grid, 4))
    blanks = SOLVED.copy()
    blanks[[0, 1]] = 0
    assert not conflicting_cells(blanks, 4).any(), "blanks never conflict"


MAZE = ["#####", "#S  #", "# # #", "#  G#", "#####"]
ANSWER = ["#####", "#Soo#", "# #o#", "#  G#", "#####"]


def _maze(rows) -> np.ndarray:
    return maze_encode(np.frombuffer("".join(rows).encode(), np.uint8))


def test_the_maze_path_is_blue_over_walls_start_and_goal():
    _, at = _pixels(lambda ax: draw_maze.draw_maze(ax, _maze(ANSWER), _maze(MAZE)))
    colours = draw_maze.COLOURS
    np.testing.assert_allclose(_cell(at, 1, 2), colours[ord("o")], atol=0.02)
    np.testing.assert_allclose(_cell(at, 2, 3), colours[ord("o")], atol=0.02)
    np.testing.assert_allclose(_cell(at, 1, 1), colours[ord("S")], atol=0.02)
    np.testing.assert_allclose(_cell(at, 3, 3), colours[ord("G")], atol=0.02)
    np.testing.assert_allclose(_cell(at, 0, 0), colours[ord("#")], atol=0.02)
    np.testing.assert_allclose(_cell(at, 3, 1), (1, 1, 1), atol=0.02)
    _, unsolved = _pixels(lambda ax: draw_maze.draw_maze(ax, _maze(MAZE), _maze(MAZE)))
    np.testing.assert_allclose(_cell(unsolved, 1, 2), (1, 1, 1), atol=0.02)


def test_arc_grids_use_the_standard_palette():
    grid = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    _, at = _pixels(lambda ax: draw_arc.draw_arc_grid(ax, grid))
    for (r, c), colour in np.ndenumerate(grid):
        np.testing.assert_allclose(_cell(at, r, c), draw_arc.PALETTE[colour], atol=0.02)
    np.testing.assert_allclose(draw_arc.PALETTE[2], (1.0, 65 / 255, 54 / 255))  # ARC red, #FF4136


def test_a_strip_and_its_gif(tmp_path):
    from PIL import Image

    panel = ("p", lambda ax: draw_sudoku.draw_sudoku(ax, sudoku_encode(SOLVED), sudoku_encode(SOLVED)))
    png = save_strip([panel], [panel] * 10, tmp_path / "s.png", columns=4)
    gif = save_gif([panel], [(f"step {k}", panel[1]) for k in range(3)], tmp_path / "s.gif")
    with Image.open(png) as im:
        assert im.size == (4 * 170, 4 * 200), "one context row and three rows of four steps"
    with Image.open(gif) as im:
        assert im.n_frames == 3


def test_every_drawing_is_a_registered_task():
    assert set(DRAWINGS) <= set(list_kinds("task"))


def test_without_pillow_the_gif_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'reasonkit\[viz\]'"):
        save_gif([], [("p", lambda ax: None)], tmp_path / "x.gif")


def test_arc_pictures_show_the_demonstrations_beside_the_outputs(tmp_path):
    import json

    import torch
    from PIL import Image

    from reasonkit import build
    from reasonkit.tasks.arc import build_arc
    from reasonkit.viz import draw_reasoning
    from reasonkit.viz._data import read_examples

    rng = np.random.default_rng(0)
    pairs = [rng.integers(0, 10, shape) for shape in ((3, 4), (2, 2), (3, 3))]
    task = {"train": [{"input": x.tolist(), "output": ((x + 1) % 10).tolist()} for x in pairs[:2]]}
    task["test"] = [{"input": pairs[2].tolist(), "output": pairs[2].tolist()}]
    for split in ("training", "evaluation"):
        (tmp_path / "src" / split).mkdir(parents=True)
        (tmp_path / "src" / split / f"{split}.json").write_text(json.dumps(task))
    build_arc(tmp_path / "arc", sources=[tmp_path / "src"], aug=0, workers=1, progress=False)
    example = read_examples(tmp_path / "arc", "test", [0])
    demos = draw_arc.demonstrations(tmp_path / "arc", int(example.puzzle_identifiers[0]))
    assert len(demos) == 2
    for (i, o), x in zip(demos, pairs):
        np.testing.assert_array_equal(i, x)
        np.testing.assert_array_equal(o, (x + 1) % 10)
    context, steps = draw_arc.panels(example, [example.labels[0].clip(0)], ["segment 1"])
    assert [t for t, _ in context] == ["demo 1 in", "demo 1 out", "demo 2 in", "demo 2 out", "test input"]
    torch.manual_seed(0)
    model = build("hrm-tiny", vocab_size=12, seq_len=900, num_puzzle_ids=3, task="arc", **{"halting.max_steps": 2})
    png, gif = draw_reasoning(model, tmp_path / "arc", 0, tmp_path / "arc.png")
    with Image.open(png) as strip:
        assert strip.size[0] == 5 * 170, "the context row is five panels wide"
