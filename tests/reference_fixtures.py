"""Shared helpers for the fidelity tests against fixtures recorded from the reference code (tests/fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """The JSON record and the tensors of fixture ``name``."""
    return json.loads((FIXTURES / f"{name}.json").read_text()), load_file(FIXTURES / f"{name}.safetensors")


def reference_state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The reference model's state dict stored under ``state.``."""
    return {k[len("state.") :]: v for k, v in tensors.items() if k.startswith("state.")}


def batch(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The batch stored under ``{prefix}.batch.`` (inputs, labels, puzzle_identifiers)."""
    return {k: tensors[f"{prefix}.batch.{k}"] for k in ("inputs", "labels", "puzzle_identifiers")}


def hrm_spec(config: dict) -> dict:
    """The reasonkit spec equal to a reference HRM ACT v1 config dict."""
    cell = {
        "kind": "transformer",
        "num_heads": config["num_heads"],
        "expansion": config["expansion"],
        "norm_eps": config["rms_norm_eps"],
    }
    return {
        "vocab_size": config["vocab_size"],
        "seq_len": config["seq_len"],
        "num_puzzle_ids": config["num_puzzle_identifiers"],
        "hidden_size": config["hidden_size"],
        "forward_dtype": config["forward_dtype"],
        "embedding": {
            "positions": config["pos_encodings"],
            "rope_theta": config["rope_theta"],
            "puzzle_dim": config["puzzle_emb_ndim"],
        },
        "core": {
            "kind": "hierarchical",
            "h_cycles": config["H_cycles"],
            "l_cycles": config["L_cycles"],
            "high": {**cell, "layers": config["H_layers"]},
            "low": {**cell, "layers": config["L_layers"]},
        },
        "gradient": {"kind": "one_step"},
        "halting": {
            "kind": "q_act",
            "max_steps": config["halt_max_steps"],
            "exploration": config["halt_exploration_prob"],
        },
    }


def trm_spec(config: dict) -> dict:
    """The reasonkit spec equal to a reference TRM config dict (attention or ``mlp_t``, ``no_ACT_continue``)."""
    common = {"layers": config["L_layers"], "expansion": config["expansion"], "norm_eps": config["rms_norm_eps"]}
    cell = (
        {"kind": "mlp_mixer", **common}
        if config["mlp_t"]
        else {"kind": "transformer", "num_heads": config["num_heads"], **common}
    )
    return {
        "vocab_size": config["vocab_size"],
        "seq_len": config["seq_len"],
        "num_puzzle_ids": config["num_puzzle_identifiers"],
        "hidden_size": config["hidden_size"],
        "forward_dtype": config["forward_dtype"],
        "embedding": {
            "positions": config["pos_encodings"],
            "rope_theta": config["rope_theta"],
            "puzzle_dim": config["puzzle_emb_ndim"],
            "puzzle_len": config["puzzle_emb_len"],
        },
        "core": {"kind": "recursive", "cycles": config["H_cycles"], "latent_updates": config["L_cycles"], "cell": cell},
        "gradient": {"kind": "last_cycle"},
        "halting": {
            "kind": "q_halt",
            "max_steps": config["halt_max_steps"],
            "exploration": config["halt_exploration_prob"],
        },
        "loss": "stablemax",
    }


def urm_spec(record: dict) -> dict:
    """The reasonkit spec equal to a reference URM config dict (its exploration probability is hard-coded)."""
    config = record["config"]
    cell = {
        "kind": "transformer",
        "layers": config["num_layers"],
        "num_heads": config["num_heads"],
        "expansion": config["expansion"],
        "norm_eps": config["rms_norm_eps"],
        "feed_forward": {"kind": "conv_swiglu", "kernel": 2, "conv_dtype": "bfloat16"},
    }
    return {
        "vocab_size": config["vocab_size"],
        "seq_len": config["seq_len"],
        "num_puzzle_ids": config["num_puzzle_identifiers"],
        "hidden_size": config["hidden_size"],
        "forward_dtype": config["forward_dtype"],
        # URM builds rotary tables whatever its pos_encodings field says.
        "embedding": {"positions": "rope", "rope_theta": config["rope_theta"], "puzzle_dim": config["puzzle_emb_ndim"]},
        "core": {
            "kind": "flat",
            "cycles": config["H_cycles"] * config["L_cycles"],
            "cell": cell,
            "injection": {"kind": "add"},
        },
        "gradient": {"kind": "burn_in", "updates": (config["H_cycles"] - 1) * config["L_cycles"]},
        "halting": {"kind": "q_halt", "max_steps": config["loops"], "exploration": record["halt_exploration_prob"]},
        "loss": "stablemax",
    }


#: The reference's output names, read from a reasonkit SegmentOutput.
OUTPUTS = {
    "logits": lambda out: out.logits,
    "q_halt_logits": lambda out: out.halting.q_halt,
    "q_continue_logits": lambda out: out.halting.q_continue,
    "target_q_continue": lambda out: out.halting.target_q_continue,
}


def output(out, key: str) -> torch.Tensor:
    """The reference output ``key`` of a reasonkit SegmentOutput."""
    return OUTPUTS[key](out)


def reference_model(name: str):
    """``(record, tensors, model)``: the fixture and a reasonkit model holding the reference's weights."""
    from reasonkit import build
    from reasonkit.interop import load_reference_state_dict

    record, tensors = load_fixture(name)
    if record["family"] == "urm":
        spec = urm_spec(record)  # URM's exploration probability is in the record, not in its config
    else:
        spec = {"hrm": hrm_spec, "trm": trm_spec}[record["family"]](record["config"])
    model = build(spec)
    load_reference_state_dict(model, reference_state(tensors))
    return record, tensors, model
