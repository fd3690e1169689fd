"""Sudoku (Sudoku-Extreme of HRM, arXiv 2506.21734): rules, solver, generator, codec, symmetries and builder."""

from .codec import decode, encode, format_grid, parse
from .generate import GeneratedSudoku, generate_puzzle, minimal_puzzle, random_solution
from .reader import read_sudoku_csv
from .rules import BOX_SHAPES, box_index, box_shape, is_valid_solution, side
from .solver import SolveResult, geometry, solve, solve_py
from .symmetries import augment_group, shuffle_params, sudoku_shuffle, token_symmetries
from .task import SudokuTask, build_sudoku

__all__ = [
    "SudokuTask",
    "build_sudoku",
    "encode",
    "decode",
    "parse",
    "format_grid",
    "GeneratedSudoku",
    "generate_puzzle",
    "minimal_puzzle",
    "random_solution",
    "read_sudoku_csv",
    "BOX_SHAPES",
    "box_index",
    "box_shape",
    "is_valid_solution",
    "side",
    "SolveResult",
    "geometry",
    "solve",
    "solve_py",
    "augment_group",
    "shuffle_params",
    "sudoku_shuffle",
    "token_symmetries",
]
