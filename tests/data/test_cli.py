"""The ``data`` command: sub-commands build, bad input exits 2 with the file named, rebuilds are guarded."""
import argparse
import json

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


def _maze_csv(path, count):
    from reasonkit.data.maze import generate_maze

    rows = [generate_maze(i, 10, 8) for i in range(count)]
    path.write_text("source,question,answer,rating\n" + "".join(
        f"gen,{bytes(q.reshape(-1)).decode()},{bytes(a.reshape(-1)).decode()},0\n" for q, a in rows))


def _sudoku_csv(path, count):
    from reasonkit.data.sudoku_gen import generate_puzzle

    gs = [generate_puzzle(i, 4) for i in range(count)]
    path.write_text("source,question,answer,rating\n" + "".join(
        f"gen,{''.join('.' if v == 0 else str(v) for v in g.puzzle)},{''.join(map(str, g.solution))},{g.rating}\n"
        for g in gs))


def test_help_names_the_module_once(capsys):
    import pytest

    for argv in (["sudoku", "--help"], ["data", "maze", "--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: python -m reasonkit.data {argv[-2]} ") and "data data" not in out
        assert "generation only" in out


def test_generation_only_flags_are_refused_with_a_source(tmp_path, capsys):
    _maze_csv(tmp_path / "m.csv", 3)
    _sudoku_csv(tmp_path / "s.csv", 3)
    for argv, flag in ((["maze", "--source", str(tmp_path / "m.csv"), "--size", "10"], "--size"),
                       (["maze", "--source", str(tmp_path / "m.csv"), "--min-path", "5"], "--min-path"),
                       (["maze", "--source", str(tmp_path / "m.csv"), "--loops", "0.1"], "--loops"),
                       (["sudoku", "--source", str(tmp_path / "s.csv"), "--size", "4"], "--size"),
                       (["sudoku", "--source", str(tmp_path / "s.csv"), "--max-steps", "9"], "--max-steps")):
        assert main(argv + ["--out", str(tmp_path / "o"), "--no-progress", "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert flag in err and "only apply when generating" in err
        assert not (tmp_path / "o").exists()
    # without them the CSV builds, and records the generation defaults as before
    assert main(["maze", "--source", str(tmp_path / "m.csv"), "--out", str(tmp_path / "o"), "--no-progress",
                 "--workers", "1"]) == 0
    info = json.loads((tmp_path / "o" / "build.json").read_text())
    assert (info["args"]["size"], info["args"]["min_path"], info["args"]["loops"]) == (30, 110, 0.05)


def test_sizes_zero_and_all(tmp_path, capsys):
    gen = ["--out", str(tmp_path / "o"), "--no-progress", "--workers", "1"]
    maze = ["maze", "--size", "8", "--min-path", "4"]
    for argv, message in ((maze + ["--train-size", "0"], "train_size (--train-size) must be at least 1"),
                          (maze + ["--test-size", "0"], "test_size (--test-size) must be at least 1"),
                          (maze + ["--train-size", "all"], "--train-size all"),
                          (maze + ["--test-size", "all"], "--test-size all"),
                          (["sudoku", "--size", "4", "--train-size", "0"], "must be at least 1"),
                          (["sudoku", "--size", "4", "--test-size", "0"], "must be at least 1"),
                          (["sudoku", "--size", "4", "--train-size", "all"], "--train-size all"),
                          (["sudoku", "--size", "4", "--test-size", "all"], "--test-size all")):
        assert main(argv + gen) == 2, argv
        assert message in capsys.readouterr().err
        assert not (tmp_path / "o").exists()
    # 'all' with a CSV source takes every row
    _sudoku_csv(tmp_path / "s.csv", 7)
    assert main(["sudoku", "--source", str(tmp_path / "s.csv"), "--source-test", str(tmp_path / "s.csv"),
                 "--train-size", "all", "--test-size", "all", "--aug", "1"] + gen) == 0
    assert load_metadata(tmp_path / "o", "train").total_groups == 7
    assert load_metadata(tmp_path / "o", "test").total_groups == 7
