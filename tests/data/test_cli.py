"""The ``data`` command: sub-commands build, bad input exits 2 with the file named, rebuilds are guarded."""
import argparse

from reasonkit.data import load_metadata
from reasonkit.data.cli import main, register


def test_register_adds_data_subcommands():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["data", "sudoku", "--out", "x", "--size", "4"])
    assert callable(args.func) and args.size == 4
    for sub in ("maze", "arc"):
        assert callable(parser.parse_args(["data", sub, "--out", "x"]).func)


def test_cli_builds_and_guards(tmp_path, capsys):
    out = tmp_path / "s"
    argv = ["sudoku", "--out", str(out), "--size", "4", "--train-size", "8", "--test-size", "3", "--aug", "2",
            "--no-progress", "--workers", "1"]
    assert main(argv) == 0
    assert load_metadata(out, "train").total_groups == 8
    assert main(["data"] + argv[:-2] + ["--workers", "2"]) == 0  # same data set: rebuilt in place
    assert main(argv[:6] + ["9"] + argv[7:]) == 2
    assert "different data set" in capsys.readouterr().err


def test_cli_bad_csv(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("source,question\nx,1\n")
    assert main(["sudoku", "--out", str(tmp_path / "o"), "--source", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "missing column" in err
    assert not (tmp_path / "o").exists()


def test_cli_maze(tmp_path):
    out = tmp_path / "m"
    assert main(["maze", "--out", str(out), "--size", "10", "--min-path", "8", "--train-size", "4", "--test-size",
                 "2", "--no-progress", "--workers", "1"]) == 0
    assert load_metadata(out, "test").seq_len == 100
