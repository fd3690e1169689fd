"""The registry and the public API: listing, lookup errors, and user-registered kinds."""

from __future__ import annotations

from typing import Literal

import pytest
import torch
from torch import nn

import reasonkit
from reasonkit import build, get_spec, list_kinds, list_presets, register
from reasonkit.errors import UnknownNameError
from reasonkit.registry import lookup
from reasonkit.spec import BuildContext, Spec


def test_public_api_is_explicit():
    for name in ("build", "get_spec", "list_presets", "list_kinds", "register"):
        assert name in reasonkit.__all__ and callable(getattr(reasonkit, name))


def test_list_kinds_and_presets_with_patterns():
    assert "q_act" in list_kinds("halting")
    assert list_kinds("halting", "q_*") == sorted(k for k in list_kinds("halting") if k.startswith("q_"))
    assert set(list_kinds()) == {"core", "cell", "feed_forward", "injection", "gradient", "halting", "task"}
    assert list_presets("hrm-*") == sorted(p for p in list_presets() if p.startswith("hrm-"))
    assert "hrm-27m" in list_presets("hrm-*") and list_presets("nothing-*") == []


def test_unknown_kind_and_group_name_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown halting kind 'q_actt'.*known kinds: .*Did you mean 'q_act'"):
        lookup("halting", "q_actt")
    with pytest.raises(UnknownNameError, match=r"unknown group 'haltin'.*Did you mean 'halting'"):
        list_kinds("haltin")


def test_register_rejects_a_class_without_kind_or_build():
    class NoKind(Spec):
        def build(self, ctx):
            return None

    with pytest.raises(TypeError, match="kind"):
        register("halting")(NoKind)

    class NoBuild(Spec):
        kind: Literal["no_build"] = "no_build"

    with pytest.raises(TypeError, match="build"):
        register("halting")(NoBuild)


class ScaledInjection(nn.Module):
    def __init__(self, scale: float) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, state, *injected):
        return state + self.scale * sum(injected)


def test_user_kind_works_like_a_builtin():
    """A kind registered from outside the package validates, round-trips, builds and runs."""

    @register("injection", overwrite=True)
    class ScaledSpec(Spec):
        kind: Literal["test_scaled"] = "test_scaled"
        scale: float = 0.5

        @classmethod
        def tiny(cls) -> ScaledSpec:
            return cls()

        def build(self, ctx: BuildContext, num_inputs: int) -> ScaledInjection:
            return ScaledInjection(self.scale)

    assert "test_scaled" in list_kinds("injection")
    spec = get_spec("hrm-tiny", **{"core.injection": {"kind": "test_scaled", "scale": 0.25}})
    assert isinstance(spec.core.injection, ScaledSpec) and spec.core.injection.scale == 0.25
    assert type(spec).model_validate_json(spec.model_dump_json()) == spec
    model = build(spec)
    assert isinstance(model.core.low_injection, ScaledInjection) and model.core.low_injection.scale == 0.25
    batch = {"inputs": torch.randint(0, 11, (2, 81)), "puzzle_identifiers": torch.zeros(2, dtype=torch.int32)}
    carry, out = model(model.initial_carry(batch), batch)
    assert out.logits.shape == (2, 81, 11)
    with pytest.raises(ValueError, match="already registered"):
        register("injection")(type("Again", (ScaledSpec,), {"__module__": __name__}))


def test_renamed_kinds_and_presets_keep_their_old_names_with_a_warning():
    from reasonkit.presets import _ALIASES, _PRESETS, preset, preset_factory

    @register("injection", aliases=("test_old_sum",), overwrite=True)
    class NewSumSpec(Spec):
        kind: Literal["test_new_sum"] = "test_new_sum"

        @classmethod
        def tiny(cls):
            return cls()

        def build(self, ctx, num_inputs):
            return ScaledInjection(1.0)

    with pytest.warns(DeprecationWarning, match="injection kind 'test_old_sum' is deprecated; use 'test_new_sum'"):
        spec = get_spec("hrm-tiny", **{"core.injection": "test_old_sum"})
    assert spec.core.injection.kind == "test_new_sum"
    preset("test-new-preset", aliases=("test-old-preset",))(lambda: get_spec("hrm-tiny"))
    try:
        with pytest.warns(DeprecationWarning, match="preset 'test-old-preset' is deprecated; use 'test-new-preset'"):
            assert build("test-old-preset").num_parameters() == build("hrm-tiny").num_parameters()
        assert "test-old-preset" not in list_presets()
    finally:
        _PRESETS.pop("test-new-preset"), _ALIASES.pop("test-old-preset")
    with pytest.raises(ValueError, match="already defined"):
        preset("hrm-tiny")(lambda: None)
    assert preset_factory("hrm-tiny")
