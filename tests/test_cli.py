"""The ``reasonkit`` command: sub-commands are registered, user errors end with a message and exit code 2."""

from __future__ import annotations

import json

import pytest

from reasonkit.cli import main


def test_presets_and_spec(capsys):
    assert main(["presets", "hrm-*", "--count"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "hrm-27m\t27,275,266" and all(line.startswith("hrm-") for line in out)
    assert main(["spec", "hrm-tiny", "halting.max_steps=8", "gradient=bptt"]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert spec["halting"]["max_steps"] == 8 and spec["gradient"] == {"kind": "bptt"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["spec", "hrm-tiny", "halting.max_step=8"], "halting.max_step: unknown field. Did you mean 'max_steps'"),
        (["spec", "hrm-27"], "unknown preset 'hrm-27'"),
        (["spec", "hrm-tiny", "core.high.attention=xformers", "--count"], "attention backend 'xformers'"),
    ],
)
def test_user_errors_exit_2_with_the_message(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_malformed_override_is_rejected(capsys):
    assert main(["spec", "hrm-tiny", "halting.max_steps"]) == 2
    assert "must look like key=value" in capsys.readouterr().err


def test_no_matching_preset_is_an_error(capsys):
    assert main(["presets", "zzz*"]) == 2
    assert "no preset matches 'zzz*'" in capsys.readouterr().err


def test_debug_shows_the_traceback():
    from reasonkit.errors import UnknownNameError

    with pytest.raises(UnknownNameError):
        main(["--debug", "spec", "hrm-27"])
