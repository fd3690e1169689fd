"""Sudoku-Extreme (HRM, arXiv 2506.21734; TRM, arXiv 2510.04871; URM, arXiv 2512.14693): build, train, evaluate.

    python recipes/sudoku_extreme.py --demo                  # the CPU demo (see DEMO below)
    python recipes/sudoku_extreme.py                         # HRM's run: hrm-27m, 1k puzzles x 1k augmentations
    python recipes/sudoku_extreme.py --paper trm             # TRM's run: trm-mlp-5m, 50k epochs, EMA
    python recipes/sudoku_extreme.py --paper urm             # URM's run: urm-14m, batch 128, 50k epochs, EMA
    python recipes/sudoku_extreme.py task.source=sudoku/train.csv task.source_test=sudoku/test.csv   # the CSVs
    torchrun --nproc-per-node 8 recipes/sudoku_extreme.py    # the paper's 8 GPUs
    python recipes/sudoku_extreme.py --dry-run model=trm-7m  # the plan: parameters, steps, GPU hours

Without ``task.source`` the puzzles are generated locally (the original CSV files are not shipped); every run
resumes from its newest checkpoint. ``--help`` lists the flags; any TrainConfig field is a ``key=value``.
"""

import sys

from reasonkit.train import RecipeSettings, TrainConfig, recipe_main

#: HRM's Sudoku-Extreme-1k run: 1,000 puzzles x 1,000 augmentations, hrm-27m, global batch 768, 20,000 epochs,
#: Adam-atan2 lr 1e-4 betas (0.9, 0.95) weight decay 1.0, puzzle sign-SGD lr 1e-4 weight decay 1.0, 2,000 warmup
#: steps then constant, evaluation every 2,000 epochs.
HRM = TrainConfig(
    task={"kind": "sudoku", "train_size": 1000, "aug": 1000},
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

#: TRM's Sudoku-Extreme run (its best, TRM-MLP): T=3, n=6, 50,000 epochs, EMA 0.999, evaluation every 5,000.
TRM = HRM.model_copy(update={"model": "trm-mlp-5m", "epochs": 50000, "ema": 0.999, "eval_every_epochs": 5000})

#: URM's Sudoku run (scripts/URM_sudoku.sh): urm-14m on the same data, global batch 128, 50,000 epochs, EMA 0.999;
#: Adam-atan2 lr 1e-4, weight decay 1.0, puzzle sign-SGD lr 1e-4 weight decay 1.0, 2,000 warmup steps then
#: constant, evaluation every 2,000 epochs (the reference's own Sudoku runs never evaluate: its default ARC
#: evaluator fails on Sudoku data and the error is swallowed).
URM = HRM.model_copy(update={"model": "urm-14m", "global_batch_size": 128, "epochs": 50000, "ema": 0.999})

#: The CPU demo (the README's first command): 6x6 Sudoku (2x3 boxes, unique solutions) generated locally; an HRM
#: whose two levels are recurrent-relational-network steps over the Sudoku constraint graph (graph cells, Palm et
#: al. 2018), 2 H x 2 L cycles per segment, deep supervision over up to 8 segments with Q-learning halting, 16
#: segments at inference; 1,800 steps of batch 64, 7.5 minutes on 2 idle CPU cores. docs/results.md has the
#: measurements behind each choice: the bptt gradient through a segment's 6 graph steps learned far faster than
#: the paper's one-step gradient on this task, and transformer cells did not learn 6x6 in this budget.
DEMO_CELL = {"kind": "graph", "message_layers": 2, "update": "gru"}
DEMO = TrainConfig(
    task={"kind": "sudoku", "size": 6, "train_size": 10000, "test_size": 1000, "aug": 9},
    data_dir="data/sudoku-6x6-demo",
    out_dir="runs/sudoku-6x6-demo",
    model="hrm-tiny",
    model_overrides={
        "core": {
            "kind": "hierarchical",
            "h_cycles": 2,
            "l_cycles": 2,
            "high": DEMO_CELL,
            "low": DEMO_CELL,
            "injection": {"kind": "concat_proj"},
        },
        "gradient": {"kind": "bptt"},
        "halting": {"kind": "q_act", "max_steps": 8, "exploration": 0.1},
        "loss": "softmax",
        "embedding.positions": "learned",
        "inference_max_steps": 16,
    },
    precision="float32",
    global_batch_size=64,
    total_steps=1800,
    lr=3e-3,
    lr_warmup_steps=30,
    lr_min_ratio=0.1,
    weight_decay=0.1,
    puzzle_lr=1e-3,
    puzzle_weight_decay=0.1,
    ema=0.995,
    checkpoint_every=600,
    eval_every=600,
    eval_limit=1000,
    scaling=list(range(1, 17)),
    plots=True,
)

RECIPE = RecipeSettings("sudoku_extreme", {"hrm": HRM, "trm": TRM, "urm": URM}, default="hrm", demo=DEMO)

if __name__ == "__main__":
    sys.exit(recipe_main(sys.argv[1:], RECIPE))
