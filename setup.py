"""The optional C extension of the Sudoku solver (reasonkit.tasks.sudoku._csolver), built at install time.

Everything else is configured in pyproject.toml. ``optional=True``: without a C compiler the install succeeds and
the pure-Python solver (same results, slower) is used.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "reasonkit.tasks.sudoku._csolver",
            ["reasonkit/tasks/sudoku/_csolver.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
