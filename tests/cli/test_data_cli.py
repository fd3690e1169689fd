"""The ``data`` command: one sub-command per registered task, its options generated from the task's fields; bad
input ends as one line naming the file or the option, with its exit code; rebuilds are guarded."""

import argparse
import json

import pytest

from reasonkit.cli import main as reasonkit_main
from reasonkit.cli.data import register
from reasonkit.data import load_metadata


def main(argv):
    return reasonkit_main(argv if argv[:1] == ["data"] else ["data", *argv])


def test_register_adds_data_subcommands():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["data", "sudoku", "--out", "x", "--size", "4"])
    assert callable(args.func) and args.size == 4
    for sub in ("maze", "arc"):
        assert callable(parser.parse_args(["data", sub, "--out", "x"]).func)


def test_cli_builds_and_guards(tmp_path, capsys):
    out = tmp_path / "s"
    argv = [
        "sudoku",
        "--out",
        str(out),
        "--size",
        "4",
        "--train-size",
        "8",
        "--test-size",
        "3",
        "--aug",
        "2",
        "--no-progress",
        "--workers",
        "1",
    ]
    assert main(argv) == 0
    assert load_metadata(out, "train").total_groups == 8
    assert main(["data"] + argv[:-2] + ["--workers", "2"]) == 0  # same data set: rebuilt in place
    assert main(argv[:6] + ["9"] + argv[7:]) == 8  # an OutputError: --out holds another data set
    assert "different data set" in capsys.readouterr().err


def test_cli_bad_csv(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("source,question\nx,1\n")
    assert main(["sudoku", "--out", str(tmp_path / "o"), "--source", str(bad), "--no-progress"]) == 4  # a DataError
    err = capsys.readouterr().err
    assert "bad.csv" in err and "missing column" in err
    assert not (tmp_path / "o").exists()


def test_cli_maze(tmp_path):
    out = tmp_path / "m"
    assert (
        main(
            [
                "maze",
                "--out",
                str(out),
                "--size",
                "10",
                "--min-path",
                "8",
                "--train-size",
                "4",
                "--test-size",
                "2",
                "--no-progress",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    assert load_metadata(out, "test").seq_len == 100


def _maze_csv(path, count):
    from reasonkit.tasks.maze import generate_maze

    rows = [generate_maze(i, 10, 8) for i in range(count)]
    path.write_text(
        "source,question,answer,rating\n"
        + "".join(f"gen,{bytes(q.reshape(-1)).decode()},{bytes(a.reshape(-1)).decode()},0\n" for q, a in rows)
    )


def _sudoku_csv(path, count, first=0):
    from reasonkit.tasks.sudoku import generate_puzzle

    gs = [generate_puzzle(i, 4) for i in range(first, first + count)]
    path.write_text(
        "source,question,answer,rating\n"
        + "".join(
            f"gen,{''.join('.' if v == 0 else str(v) for v in g.puzzle)},{''.join(map(str, g.solution))},{g.rating}\n"
            for g in gs
        )
    )


def test_help_lists_every_field_of_the_task(capsys):
    from reasonkit.registry import lookup

    for kind in ("sudoku", "maze", "arc"):
        with pytest.raises(SystemExit) as e:
            main([kind, "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: reasonkit data {kind} ")
        fields = [n for n in lookup("task", kind).model_fields if n != "kind"]
        assert all(
            ("--" + n.replace("_", "-").removesuffix("s")) in out or f"--no-{n.replace('_', '-')}" in out
            for n in fields
        ), out


def test_a_task_registered_outside_the_package_gets_its_own_command(tmp_path, capsys):
    from typing import Literal

    import numpy as np

    from reasonkit import register as register_kind
    from reasonkit.data.builder import pack_puzzles, write_dataset
    from reasonkit.tasks import DataShape, Task

    @register_kind("task", overwrite=True)
    class CopyTask(Task):
        """Copy a sequence (a test task)."""

        kind: Literal["test_copy"] = "test_copy"
        length: int = 4
        fancy: bool = False

        @classmethod
        def tiny(cls):
            return cls()

        def build(self, out, *, workers=None, overwrite=False, progress=True):
            x = np.arange(1, 1 + 2 * self.length).reshape(2, self.length) % 5 + 1
            return write_dataset(out, self.kind, self.model_dump(), {"train": pack_puzzles(x, x)}, vocab_size=6)

        def data_shape(self):
            return DataShape(6, self.length, 2)

    assert main(["test_copy", "--out", str(tmp_path / "c"), "--length", "3", "--fancy"]) == 0
    assert load_metadata(tmp_path / "c", "train").seq_len == 3
    assert json.loads((tmp_path / "c" / "build.json").read_text())["args"] == {
        "kind": "test_copy",
        "length": 3,
        "fancy": True,
    }


def test_generation_only_flags_are_refused_with_a_source(tmp_path, capsys):
    _maze_csv(tmp_path / "m.csv", 3)
    _sudoku_csv(tmp_path / "s.csv", 3)
    for argv, flag in (
        (["maze", "--source", str(tmp_path / "m.csv"), "--size", "10"], "--size"),
        (["maze", "--source", str(tmp_path / "m.csv"), "--min-path", "5"], "--min-path"),
        (["maze", "--source", str(tmp_path / "m.csv"), "--loops", "0.1"], "--loops"),
        (["maze", "--source", str(tmp_path / "m.csv"), "--ties"], "--ties"),
        (["maze", "--source", str(tmp_path / "m.csv"), "--style", "noise"], "--style"),
        (["sudoku", "--source", str(tmp_path / "s.csv"), "--size", "4"], "--size"),
        (["sudoku", "--source", str(tmp_path / "s.csv"), "--max-steps", "9"], "--max-steps"),
    ):
        assert main(argv + ["--out", str(tmp_path / "o"), "--no-progress", "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert flag in err and "only apply when generating" in err and len(err.strip().splitlines()) == 1
        assert not (tmp_path / "o").exists()
    # without them the CSV builds, and records that no generation option was given
    assert (
        main(
            [
                "maze",
                "--source",
                str(tmp_path / "m.csv"),
                "--out",
                str(tmp_path / "o"),
                "--no-progress",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    info = json.loads((tmp_path / "o" / "build.json").read_text())
    assert (info["args"]["size"], info["args"]["min_path"], info["args"]["loops"]) == (None, None, None)
    assert (info["args"]["ties"], info["args"]["style"]) == (None, None)  # an unset flag stays unset


def test_sizes_zero_and_all(tmp_path, capsys):
    gen = ["--out", str(tmp_path / "o"), "--no-progress", "--workers", "1"]
    maze = ["maze", "--size", "8", "--min-path", "4"]
    for argv, message in (
        (maze + ["--train-size", "0"], "--train-size: must be a number of puzzles (at least 1)"),
        (maze + ["--test-size", "0"], "--test-size: must be a number of puzzles"),
        (maze + ["--train-size", "all"], "--train-size all means every row of a CSV source"),
        (maze + ["--test-size", "all"], "--test-size all means every row of a CSV source"),
        (["sudoku", "--size", "4", "--train-size", "0"], "at least 1"),
        (["sudoku", "--size", "4", "--test-size", "0"], "at least 1"),
        (["sudoku", "--size", "4", "--train-size", "all"], "--train-size all"),
        (["sudoku", "--size", "4", "--test-size", "all"], "--test-size all"),
    ):
        assert main(argv + gen) == 2, argv
        assert message in capsys.readouterr().err
        assert not (tmp_path / "o").exists()
    # 'all' with a CSV source takes every row
    _sudoku_csv(tmp_path / "s.csv", 7)
    _sudoku_csv(tmp_path / "t.csv", 7, first=50)
    assert (
        main(
            [
                "sudoku",
                "--source",
                str(tmp_path / "s.csv"),
                "--source-test",
                str(tmp_path / "t.csv"),
                "--train-size",
                "all",
                "--test-size",
                "all",
                "--aug",
                "1",
            ]
            + gen
        )
        == 0
    )
    assert load_metadata(tmp_path / "o", "train").total_groups == 7
    assert load_metadata(tmp_path / "o", "test").total_groups == 7
