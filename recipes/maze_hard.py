"""Maze-Hard (HRM, arXiv 2506.21734; TRM, arXiv 2510.04871; URM, arXiv 2512.14693): 30x30 mazes, the shortest
S-G path.

    python recipes/maze_hard.py --demo                       # the CPU demo: 15x15 mazes (see DEMO below)
    python recipes/maze_hard.py                              # HRM's run: hrm-27m on 1k generated 30x30 mazes
    python recipes/maze_hard.py --paper trm                  # TRM's run: trm-7m (T=3, n=4), 8 dihedral augmentations
    python recipes/maze_hard.py --paper urm                  # urm-14m with URM's Sudoku settings (no URM Maze run)
    python recipes/maze_hard.py task.source=data/maze-hard/train.csv task.source_test=data/maze-hard/test.csv
    python recipes/maze_hard.py --dry-run

Any shortest path counts as correct (checked by BFS). Without ``task.source`` the mazes are generated locally with
a unique shortest path longer than 110 moves (the original CSV files are not shipped).
"""

import sys

from reasonkit.train import RecipeSettings, TrainConfig, recipe_main

#: HRM's Maze-Hard-1k run: hrm-27m (vocab 6, seq 900), global batch 768, 20,000 epochs, Adam-atan2 lr 1e-4 betas
#: (0.9, 0.95) weight decay 1.0, puzzle sign-SGD lr 1e-4 weight decay 1.0, 2,000 warmup steps then constant,
#: evaluation every 2,000 epochs.
HRM = TrainConfig(
    task={"kind": "maze", "size": 30, "min_path": 110, "train_size": 1000, "test_size": 1000},
    model="hrm-27m",
    global_batch_size=768,
    epochs=20000,
    lr=1e-4,
    betas=(0.9, 0.95),
    weight_decay=1.0,
    puzzle_lr=1e-4,
    puzzle_weight_decay=1.0,
    lr_warmup_steps=2000,
    lr_min_ratio=1.0,
    eval_every_epochs=2000,
)

#: TRM's Maze-Hard run: TRM-Att with T=3, n=4, the 8 dihedral augmentations, 50,000 epochs, EMA 0.999.
TRM = HRM.model_copy(
    update={
        "task": HRM.task.model_copy(update={"aug": True}),
        "model": "trm-7m",
        "model_overrides": {"core.latent_updates": 4},
        "epochs": 50000,
        "ema": 0.999,
        "eval_every_epochs": 5000,
    }
)

#: URM publishes no Maze run (its repository ships a Maze builder but no script or config). These are URM's
#: Sudoku settings (scripts/URM_sudoku.sh, also a 1,000-example data set) on HRM's Maze data: urm-14m, global batch
#: 128, 50,000 epochs, EMA 0.999, Adam-atan2 lr 1e-4 weight decay 1.0, puzzle sign-SGD lr 1e-4 weight decay 1.0,
#: evaluation every 2,000 epochs. A starting point, not a published configuration.
URM = HRM.model_copy(update={"model": "urm-14m", "global_batch_size": 128, "epochs": 50000, "ema": 0.999})

#: The CPU demo: 15x15 mazes from the mixed generator (half random-wall mazes, half depth-first backtracker and
#: Kruskal mazes with loops; several shortest paths allowed), tested on shortest paths of at least 20 moves and
#: trained on paths of 13 moves and more. Any shortest path is correct, so each segment trains toward the shortest
#: path the model is nearest to (``target=least_loss``, MinLoss of Nandwani et al. 2021) rather than one fixed
#: choice. A flat recurrent core of one conv cell (two 3x3 convolutions, the recurrent block of DeepThinking
#: networks, Schwarzschild et al. 2021): a maze is solved by propagating a front from cell to cell, so the updates
#: must outnumber the path's moves. Each training maze gets 3 segments of 8 updates (one optimizer step per
#: segment, bptt within it), 16 segments at inference: fewer segments per maze in training means more mazes for
#: the same compute, and the learned update keeps improving the path beyond the training horizon. Fixed halting:
#: no halting head, so no early exit. What it reaches, and the configurations that did worse, are in
#: docs/maze-demo.md.
DEMO_CELL = {"kind": "conv", "layers": 1, "norm": "rms"}
DEMO = TrainConfig(
    task={
        "kind": "maze",
        "size": 15,
        "min_path": 19,
        "train_min_path": 12,
        "style": "mixed",
        "noise_share": 0.5,
        "ties": True,
        "train_size": 80000,
        "test_size": 1000,
    },
    data_dir="data/maze-15x15-demo",
    out_dir="runs/maze-15x15-demo",
    model="ut-act-tiny",
    model_overrides={
        "hidden_size": 32,
        "loss": "softmax",
        "embedding": {"positions": "none", "puzzle_dim": 0},
        "core": {"kind": "flat", "cycles": 8, "injection": {"kind": "add"}, "cell": DEMO_CELL},
        "gradient": {"kind": "bptt"},
        "halting": {"kind": "fixed", "max_steps": 3},
        "inference_max_steps": 16,
    },
    target="least_loss",
    precision="float32",
    global_batch_size=8,
    total_steps=30000,
    optimizer="adamw",
    lr=1e-3,
    betas=(0.9, 0.95),
    lr_warmup_steps=100,
    lr_min_ratio=0.1,
    weight_decay=0.01,
    ema=0.999,
    checkpoint_every=15000,
    eval_every=15000,
    eval_limit=1000,
    early_exit=False,
    scaling=list(range(1, 17)),
    plots=True,
)

RECIPE = RecipeSettings("maze_hard", {"hrm": HRM, "trm": TRM, "urm": URM}, default="hrm", demo=DEMO)

if __name__ == "__main__":
    sys.exit(recipe_main(sys.argv[1:], RECIPE))
