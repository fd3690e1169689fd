"""``reasonkit viz`` and ``reasonkit analyze`` on a tiny checkpoint made here; ``analyze`` for every core."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tiny_models import tiny_spec
from toy_data import make_dataset

from reasonkit import build
from reasonkit.checkpoint import save_checkpoint
from reasonkit.cli import main
from reasonkit.registry import list_kinds
from reasonkit.tasks import get_task
from reasonkit.viz import analyze, draw_reasoning
from reasonkit.viz.analyze import FILES


@pytest.fixture(scope="module")
def sudoku_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("viz")
    get_task("sudoku").tiny().build(root / "data", progress=False)
    torch.manual_seed(0)
    model = build("hrm-tiny", vocab_size=6, seq_len=16, num_puzzle_ids=1, **{"halting.max_steps": 3})
    save_checkpoint(
        root / "run", 7, spec_json=model.spec.model_dump_json(), model_state=model.state_dict(), trainer_state={}
    )
    return root


def test_viz_draws_a_strip_and_a_gif(sudoku_run, tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "pic" / "s.png"
    argv = ["viz", str(sudoku_run / "run"), "--data", str(sudoku_run / "data"), "--index", "2", "--out", str(out)]
    assert main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    with Image.open(out.with_suffix(".gif")) as gif:
        assert gif.n_frames == 3, "one frame per segment"
    assert main([*argv[:-1], str(tmp_path / "inner.png"), "--inner", "--max-steps", "2"]) == 0
    with Image.open(tmp_path / "inner.gif") as gif:
        assert gif.n_frames == 2 * 6, "one frame per recurrent update of hrm-tiny's 2 x (2 + 1) schedule"
    with Image.open(tmp_path / "inner.png") as strip, Image.open(out) as plain:
        assert strip.size[1] > plain.size[1]


def test_analyze_writes_plots_and_sane_numbers(sudoku_run, tmp_path, capsys):
    out = tmp_path / "analysis"
    argv = ["analyze", str(sudoku_run / "run"), "--data", str(sudoku_run / "data"), "--out", str(out)]
    assert main([*argv, "--sample", "6", "--max-steps", "4"]) == 0
    printed = capsys.readouterr().out
    assert "high level z_H: participation ratio" in printed and "after 4 segments" in printed
    assert all((out / name).stat().st_size > 0 for name in FILES)
    result = json.loads((out / "analysis.json").read_text())
    assert result["core"] == "hierarchical" and result["levels"] == {"z_h": "high level z_H", "z_l": "low level z_L"}
    assert result["sample"] == 6 and result["segments"] == 4 and result["updates_per_segment"] == 6
    assert result["schedule"] == ["z_l", "z_l", "z_h"] * 2
    low, high = result["residuals"]["z_l"], result["residuals"]["z_h"]
    assert low["update"][:4] == [1, 2, 4, 5] and high["update"][:2] == [3, 6] and len(high["mean"]) == 8
    assert all(
        p10 <= mean <= p90 or np.isclose(p10, p90) for p10, mean, p90 in zip(low["p10"], low["mean"], low["p90"])
    )
    for model in ("trained", "untrained"):
        assert set(result["participation_ratio"][model]) == {"z_h", "z_l"}
        assert all(1 <= v <= 32 for v in result["participation_ratio"][model].values()), "hidden size 32"
    acc = result["accuracy_vs_segments"]
    assert list(acc) == ["1", "2", "3", "4"] and all(
        0 <= a["exact_accuracy"] <= 1 and a["count"] == 6 for a in acc.values()
    )


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["viz", "{run}", "--data", "{data}", "--index", "8", "--out", "{tmp}/x.png"], 4, "index 8 is out of range"),
        (["viz", "{run}", "--data", "{data}", "--index", "-1", "--out", "{tmp}/x.png"], 4, "index -1 is out of range"),
        (["viz", "{tmp}", "--data", "{data}", "--index", "0", "--out", "{tmp}/x.png"], 5, "nor a run directory"),
        (["viz", "{run}", "--data", "{data}", "--index", "0", "--out", "{tmp}/x.jpg"], 2, "ending in .png"),
        (["viz", "{run}", "--data", "{tmp}/none", "--index", "0", "--out", "{tmp}/x.png"], 4, "does not exist"),
        (["analyze", "{run}", "--data", "{data}", "--split", "dev", "--out", "{tmp}/a"], 4, "with a 'dev' split"),
        (
            ["analyze", "{run}", "--data", "{data}", "--out", "{run}/checkpoints/step_000000007/meta.json"],
            8,
            "is a file",
        ),
        (["analyze", "{run}", "--data", "{data}", "--out", "{tmp}/a", "--sample", "0"], 2, "must be at least 1"),
    ],
)
def test_bad_input_is_one_line(sudoku_run, tmp_path, capsys, argv, code, message):
    fill = {"run": str(sudoku_run / "run"), "data": str(sudoku_run / "data"), "tmp": str(tmp_path)}
    try:
        status = main([a.format(**fill) for a in argv])
    except SystemExit as usage:  # argparse's own errors (one line too)
        status = usage.code
    assert status == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("core", list_kinds("core"))
def test_every_core_is_analysed_with_its_own_levels(core, tmp_path):
    data = make_dataset(tmp_path / "data", n_test=5, num_ids=2)
    torch.manual_seed(0)
    model = tiny_spec(core=core, vocab_size=11).build()
    result = analyze(model, data, tmp_path / "out", sample=4, segments=2)
    names = model.core.state_names
    assert list(result["levels"]) == list(names) and list(result["residuals"]) == list(names)
    assert result["levels"] == {n: model.core.level_name(n) for n in names}
    assert set(result["participation_ratio"]["untrained"]) == set(names)
    png, gif = draw_reasoning(model, data, 1, tmp_path / "generic.png", inner=True)
    assert png.is_file() and gif.is_file(), "a task without its own drawing gets the token grid"
