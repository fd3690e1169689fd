"""The recipes: defaults equal the papers' settings field by field, --paper/--demo/model= switch them, --dry-run
plans without building, and every recipe runs end to end for a few steps on a tiny data set it builds itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasonkit.cli.ablate import load_recipe
from reasonkit.errors import ConfigError, DataError
from reasonkit.train.main import recipe_main, resolve_config

RECIPES = Path(__file__).resolve().parents[2] / "recipes"

# The papers' settings (shared/reference/hrm.md, trm.md; the issue text for Maze-Hard; notes/urm.md section 9, from
# URM's scripts/URM_*.sh and config/cfg_pretrain.yaml). Every key is checked.
HRM_COMMON = dict(
    model="hrm-27m",
    global_batch_size=768,
    optimizer="adam_atan2",
    lr=1e-4,
    betas=(0.9, 0.95),
    lr_warmup_steps=2000,
    lr_min_ratio=1.0,
    ema=None,
)
PAPERS = {
    ("sudoku_extreme", "hrm"): dict(
        HRM_COMMON,
        epochs=20000,
        weight_decay=1.0,
        puzzle_lr=1e-4,
        puzzle_weight_decay=1.0,
        eval_every_epochs=2000,
        task=dict(kind="sudoku", train_size=1000, aug=1000),
    ),
    ("sudoku_extreme", "trm"): dict(
        HRM_COMMON,
        model="trm-mlp-5m",
        epochs=50000,
        weight_decay=1.0,
        puzzle_lr=1e-4,
        puzzle_weight_decay=1.0,
        ema=0.999,
        task=dict(kind="sudoku", train_size=1000, aug=1000),
    ),
    ("maze_hard", "hrm"): dict(
        HRM_COMMON,
        epochs=20000,
        weight_decay=1.0,
        puzzle_lr=1e-4,
        puzzle_weight_decay=1.0,
        eval_every_epochs=2000,
        task=dict(kind="maze", size=30, min_path=110, train_size=1000, test_size=1000, aug=False),
    ),
    ("maze_hard", "trm"): dict(
        HRM_COMMON,
        model="trm-7m",
        epochs=50000,
        weight_decay=1.0,
        puzzle_lr=1e-4,
        puzzle_weight_decay=1.0,
        ema=0.999,
        model_overrides={"core.latent_updates": 4},
        task=dict(kind="maze", size=30, train_size=1000, aug=True),
    ),
    ("arc_agi", "hrm"): dict(
        HRM_COMMON,
        epochs=100000,
        weight_decay=0.1,
        puzzle_lr=1e-2,
        puzzle_weight_decay=0.1,
        eval_every_epochs=10000,
        task=dict(kind="arc", aug=1000),
    ),
    ("arc_agi", "trm"): dict(
        HRM_COMMON,
        model="trm-7m",
        epochs=100000,
        weight_decay=0.1,
        puzzle_lr=1e-2,
        puzzle_weight_decay=0.1,
        ema=0.999,
        model_overrides={"core.latent_updates": 4},
        eval_every_epochs=10000,
        task=dict(kind="arc", aug=1000),
    ),
}
# URM (scripts/URM_sudoku.sh, URM_arcagi1.sh, URM_arcagi2.sh): loops 16, H_cycles 2, L_cycles 6, 4 layers; Adam-atan2
# betas (0.9, 0.95) (Muon + AdamW for ARC-AGI-2); lr 1e-4 in every group, 2,000 warmup steps, then constant; EMA 0.999;
# evaluation every 2,000 epochs.
URM_COMMON = dict(HRM_COMMON, model="urm-14m", ema=0.999, eval_every_epochs=2000)
URM_SUDOKU = dict(
    URM_COMMON, global_batch_size=128, epochs=50000, weight_decay=1.0, puzzle_lr=1e-4, puzzle_weight_decay=1.0
)
URM_ARC = dict(
    URM_COMMON, global_batch_size=768, epochs=200000, weight_decay=0.1, puzzle_lr=1e-2, puzzle_weight_decay=0.1
)
PAPERS.update(
    {
        ("sudoku_extreme", "urm"): dict(URM_SUDOKU, task=dict(kind="sudoku", train_size=1000, aug=1000)),
        # URM publishes no Maze run: the recipe documents that it uses URM's Sudoku settings on HRM's Maze data.
        ("maze_hard", "urm"): dict(
            URM_SUDOKU, task=dict(kind="maze", size=30, min_path=110, train_size=1000, test_size=1000, aug=False)
        ),
        ("arc_agi", "urm"): dict(URM_ARC, task=dict(kind="arc", aug=1000, version=None)),
        ("arc_agi", "urm-arc2"): dict(URM_ARC, optimizer="muon", task=dict(kind="arc", aug=1000, version=2)),
    }
)
#: The published parameter counts of the default models (puzzle table excluded).
COUNTS = {"sudoku_extreme": 27_275_266, "maze_hard": 27_270_146, "arc_agi": 27_276_290}


@pytest.mark.parametrize("recipe, paper", sorted(PAPERS), ids=["-".join(k) for k in sorted(PAPERS)])
def test_defaults_are_the_papers_settings(recipe, paper):
    settings = load_recipe(str(RECIPES / f"{recipe}.py"))
    config, _ = resolve_config(["--paper", paper], settings)
    for key, want in PAPERS[(recipe, paper)].items():
        value = getattr(config, key)
        if key == "task":
            value = {k: getattr(value, k) for k in want}
        assert value == want, f"{recipe} --paper {paper}: {key} is {value!r}, the paper says {want!r}"
    assert settings.default == "hrm"


def _dry_run_plan(recipe: str, argv: list[str], tmp_path, capsys, monkeypatch) -> dict:
    """The plan ``recipe --dry-run`` prints from an empty directory, which it must leave empty."""
    monkeypatch.chdir(tmp_path)
    assert recipe_main([*argv, "--dry-run"], load_recipe(str(RECIPES / f"{recipe}.py"))) == 0
    assert not any(tmp_path.iterdir()), "a dry run built or wrote something"
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("recipe", sorted(COUNTS))
def test_dry_run_prints_the_plan_without_building(recipe, tmp_path, capsys, monkeypatch):
    plan = _dry_run_plan(recipe, [], tmp_path, capsys, monkeypatch)
    assert plan["parameters"] == COUNTS[recipe]
    assert plan["optimizer_steps"] >= 26041 and plan["gpu_hours"] > 0
    assert plan["config"]["model"] == "hrm-27m"


def test_sudoku_demo_plan_is_the_graph_hrm(tmp_path, capsys, monkeypatch):
    """The README's demo: 6x6 generated, the hierarchical core of graph cells, Q-ACT to 8, float32, the curves."""
    plan = _dry_run_plan("sudoku_extreme", ["--demo"], tmp_path, capsys, monkeypatch)
    assert plan["parameters"] == 123_714 and plan["optimizer_steps"] == 1800
    assert plan["data_shape"]["seq_len"] == 36 and plan["data_shape"]["vocab_size"] == 8
    config = plan["config"]
    assert config["precision"] == "float32" and config["plots"] is True and config["early_exit"] is True
    assert config["scaling"] == list(range(1, 17)) and config["out_dir"].startswith("runs/")
    overrides = config["model_overrides"]
    assert overrides["halting"]["max_steps"] == 8 and overrides["inference_max_steps"] == 16  # 2x at inference
    assert overrides["core"]["high"]["kind"] == overrides["core"]["low"]["kind"] == "graph"


def test_maze_demo_plan_is_the_conv_core_on_mixed_mazes(tmp_path, capsys, monkeypatch):
    """The maze demo: 15x15 mazes of every style with ties, half random walls, trained toward the nearest shortest
    path on every length and tested on >= 20 moves; a flat core of one conv cell, 3 x 8 updates in training and
    16 segments at inference; float32, the curves."""
    plan = _dry_run_plan("maze_hard", ["--demo"], tmp_path, capsys, monkeypatch)
    assert plan["parameters"] == 18_880 and plan["optimizer_steps"] == 30_000
    assert plan["data_shape"]["seq_len"] == 225 and plan["data_shape"]["vocab_size"] == 6
    config = plan["config"]
    task = config["task"]
    assert (task["size"], task["min_path"], task["train_min_path"], task["style"], task["noise_share"]) == (
        15,
        19,
        12,
        "mixed",
        0.5,
    )
    assert task["ties"] is True and config["target"] == "least_loss"  # any shortest path is trained toward
    assert config["precision"] == "float32" and config["plots"] is True
    assert config["early_exit"] is False  # fixed halting has no halting head to stop on
    assert config["scaling"] == list(range(1, 17)) and config["out_dir"].startswith("runs/")
    overrides = config["model_overrides"]
    assert overrides["core"]["cell"]["kind"] == "conv" and overrides["core"]["cycles"] == 8
    assert overrides["halting"] == {"kind": "fixed", "max_steps": 3} and overrides["inference_max_steps"] == 16


def test_model_switch_and_paper_switch(capsys):
    settings = load_recipe(str(RECIPES / "sudoku_extreme.py"))
    config, _ = resolve_config(["model=trm-7m", "lr=3e-4"], settings)
    assert (config.model, config.lr, config.epochs) == ("trm-7m", 3e-4, 20000)
    assert recipe_main(["--dry-run", "--paper", "trm"], settings) == 0
    assert json.loads(capsys.readouterr().out)["parameters"] == 5_028_866
    with pytest.raises(ConfigError, match="unknown --paper 'urn'.*this recipe has: hrm, trm, urm"):
        resolve_config(["--paper", "urn"], settings)
    assert recipe_main(["--paper", "urn"], settings) == 2
    assert "unknown --paper" in capsys.readouterr().err


@pytest.mark.parametrize(
    "recipe, paper, count",
    [
        ("sudoku_extreme", "urm", 13_662_210),
        ("maze_hard", "urm", 13_662_210 - 2 * 5 * 512),  # vocabulary 6 instead of 11: embedding and LM head
        ("arc_agi", "urm", 13_663_234),
        ("arc_agi", "urm-arc2", 13_663_234),
    ],
)
def test_urm_dry_run_counts_the_reference_parameters(recipe, paper, count, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert recipe_main(["--dry-run", "--paper", paper], load_recipe(str(RECIPES / f"{recipe}.py"))) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["parameters"] == count and plan["config"]["model"] == "urm-14m"


def test_urm_arc2_is_urm_with_version_2_and_muon():
    settings = load_recipe(str(RECIPES / "arc_agi.py"))
    by_shortcut, _ = resolve_config(["--paper", "urm", "version=2", "optimizer=muon"], settings)
    assert by_shortcut == resolve_config(["--paper", "urm-arc2"], settings)[0]


def test_arc_version_shortcut(capsys):
    settings = load_recipe(str(RECIPES / "arc_agi.py"))
    config, _ = resolve_config(["version=2"], settings)
    assert config.task.version == 2 and config.resolved_data_dir == "data/arc2-aug-1000"


def _arc_sources(root: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(0)
    for split in ("training", "evaluation"):
        (root / split).mkdir(parents=True)
        x = rng.integers(0, 10, (3, 3))
        pair = {"input": x.tolist(), "output": x.T.tolist()}
        (root / split / f"{split}.json").write_text(json.dumps({"train": [pair, pair], "test": [pair]}))
    return root


def _tiny_task(recipe: str, tmp_path: Path) -> dict:
    from reasonkit.registry import lookup

    kind = {"sudoku_extreme": "sudoku", "maze_hard": "maze", "arc_agi": "arc"}[recipe]
    task = json.loads(lookup("task", kind).tiny().model_dump_json())
    if kind == "arc":
        task.update(sources=[str(_arc_sources(tmp_path / "src"))])
    return task


@pytest.mark.parametrize("recipe, paper", sorted(PAPERS), ids=["-".join(k) for k in sorted(PAPERS)])
def test_every_recipe_runs_end_to_end(recipe, paper, tmp_path, capsys):
    """Data build on a tiny subset, a few steps, checkpoints, the final evaluation (voting for ARC)."""
    settings = load_recipe(str(RECIPES / f"{recipe}.py"))
    tiny_model = f"{paper.split('-')[0]}-tiny"  # hrm-tiny, trm-tiny, urm-tiny
    argv = [
        "--paper",
        paper,
        f"task={json.dumps(_tiny_task(recipe, tmp_path))}",
        f"model={tiny_model}",
        f"data_dir={tmp_path / 'data'}",
        f"out_dir={tmp_path / 'run'}",
        "global_batch_size=4",
        "total_steps=3",
        "eval_every_epochs=null",
        "checkpoint_every=2",
        "progress=false",
        "model.halting.max_steps=2",
    ]
    assert recipe_main(argv, settings) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "trained 3 steps" in out and "test exact accuracy" in out
    final = json.loads((tmp_path / "run" / "final_eval.json").read_text())
    assert final["full"]["count"] > 0 and final["early_exit"]["early_exit"] is True
    if recipe == "arc_agi":
        assert final["full"]["tasks"] == 1 and "pass@2" in final["full"]
    assert sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir()) == ["step_000000002", "step_000000003"]


def test_demos_run_for_a_few_steps(tmp_path, capsys):
    for recipe in ("sudoku_extreme", "maze_hard"):
        settings = load_recipe(str(RECIPES / f"{recipe}.py"))
        argv = [
            "--demo",
            f"task={json.dumps(_tiny_task(recipe, tmp_path))}",
            f"data_dir={tmp_path / recipe}",
            f"out_dir={tmp_path / ('run-' + recipe)}",
            "total_steps=3",
            "global_batch_size=4",
            "eval_every=null",
            "checkpoint_every=null",
            "progress=false",
            "plots=false",
            "scaling=[1,2]",
        ]
        assert recipe_main(argv, settings) == 0, capsys.readouterr().err
        assert "segments allowed -> exact accuracy: 1: " in capsys.readouterr().out


def test_existing_data_is_reused_only_with_the_same_settings(tmp_path, monkeypatch):
    from reasonkit.tasks import get_task
    from reasonkit.train.data import data_matches, prepare_data

    task = get_task("sudoku", size=4, train_size=6, test_size=3, aug=1)
    prepare_data(tmp_path / "d", task, progress=False)
    record = (tmp_path / "d" / "build.json").read_text()
    monkeypatch.setattr(type(task), "build", lambda *a, **k: pytest.fail("rebuilt a matching data set"))
    assert prepare_data(tmp_path / "d", task, progress=False) is None  # same settings: reused as is
    assert (tmp_path / "d" / "build.json").read_text() == record
    with pytest.raises(
        DataError,
        match=r"built with other settings: aug \(built with 1, requested 2\); seed \(built "
        r"with 0, requested 3\); choose another data_dir, or delete .*d to rebuild",
    ):
        data_matches(tmp_path / "d", task.model_copy(update={"aug": 2, "seed": 3}))
    with pytest.raises(DataError, match="built by the 'sudoku' builder, not 'maze'"):
        data_matches(tmp_path / "d", get_task("maze"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file, not a data set directory"):
        data_matches(tmp_path / "file", task)
