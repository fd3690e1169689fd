"""Mazes (Maze-Hard of HRM, arXiv 2506.21734): codec, shortest paths, generator, CSV reader and builder."""

from .codec import CHARSET, as_grid, decode, encode
from .generate import generate_maze
from .paths import bfs, count_shortest_paths, is_shortest_path
from .reader import read_maze_csv
from .task import MazeTask, build_maze, maze_side

__all__ = [
    "MazeTask",
    "build_maze",
    "maze_side",
    "CHARSET",
    "as_grid",
    "decode",
    "encode",
    "generate_maze",
    "bfs",
    "count_shortest_paths",
    "is_shortest_path",
    "read_maze_csv",
]
