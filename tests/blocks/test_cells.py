"""Cells of the block zoo: mlp_mixer (TRM-MLP), graph (RRN) and the constraint graphs, attention backends.
Shape and dtype are preserved, sequences in a batch do not interact, and impossible combinations are rejected."""

from __future__ import annotations

import importlib.util

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reasonkit
from reasonkit.layers.graphs import grid_graph, peer_graph
from reasonkit.registry import lookup
from reasonkit.spec import BuildContext
from reasonkit.tasks import get_task


def ctx(
    seq_len: int, hidden: int = 16, task: str | None = None, prefix: int = 0, positions: str = "none"
) -> BuildContext:
    return BuildContext(
        hidden_size=hidden, seq_len=seq_len + prefix, positions=positions, task=task, prefix_len=prefix, vocab_size=11
    )


def cell(kind: str, context: BuildContext, **fields) -> torch.nn.Module:
    spec = lookup("cell", kind).model_validate({"kind": kind, **fields})
    spec.check(context)
    return spec.build(context)


CELLS = [
    ("mlp_mixer", {"layers": 2, "expansion": 2.0}, ctx(9, prefix=1)),
    ("graph", {"message_layers": 2, "update": "gru"}, ctx(16, task="sudoku", prefix=2)),
    ("graph", {"message_layers": 3, "update": "lstm"}, ctx(9, task="maze")),
    ("graph", {"message_layers": 2, "update": "gru"}, ctx(36, task="sudoku", prefix=1)),
    ("transformer", {"layers": 1, "num_heads": 2}, ctx(9, positions="rope", prefix=1)),
    ("conv", {"layers": 2}, ctx(16, prefix=1)),
    ("conv", {"layers": 1, "norm": "rms", "kernel_size": 5}, ctx(25)),
]


@pytest.mark.parametrize("kind, fields, context", CELLS, ids=[c[0] + "-" + str(i) for i, c in enumerate(CELLS)])
@settings(max_examples=5)
@given(batch=st.integers(1, 3), seed=st.integers(0, 1000))
def test_shape_dtype_and_batch_independence(kind, fields, context, batch, seed):
    torch.manual_seed(seed)
    module = cell(kind, context, **fields)
    x = torch.randn(batch + 1, context.seq_len, context.hidden_size)
    out = module(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    alone = module(x[:1])
    torch.testing.assert_close(out[:1], alone, rtol=1e-5, atol=1e-5)


def test_sudoku_graph_has_twenty_peers_per_cell():
    edges = get_task("sudoku").graph(81)
    assert torch.equal(edges, peer_graph(9, 3, 3))
    assert edges.shape == (2, 1620)
    assert torch.bincount(edges[1], minlength=81).eq(20).all()
    assert not (edges[0] == edges[1]).any()
    pairs = set(map(tuple, edges.T.tolist()))
    assert all((b, a) in pairs for a, b in pairs), "peer links go both ways"
    assert (0, 80) not in pairs and (0, 8) in pairs and (0, 72) in pairs and (0, 20) in pairs


def test_six_by_six_sudoku_graph_uses_two_by_three_boxes():
    """Each cell of a 6x6 grid has 5 row + 5 column peers and 2 more in its 2x3 box (12 in all)."""
    edges = get_task("sudoku").graph(36)
    assert torch.bincount(edges[1], minlength=36).eq(12).all()
    pairs = set(map(tuple, edges.T.tolist()))
    assert (0, 8) in pairs and (0, 2) in pairs and (0, 6) in pairs  # same box (row 1, column 2), row, column
    assert (0, 9) not in pairs and (0, 15) not in pairs  # rows 1-2, column 3: the next box


def test_grid_graph_is_four_neighbour():
    edges = grid_graph(3, 3)
    assert torch.equal(edges, get_task("maze").graph(9))
    degree = torch.bincount(edges[1], minlength=9)
    assert degree.tolist() == [2, 3, 2, 3, 4, 3, 2, 3, 2]
    assert edges.shape[1] == 2 * 12


def test_graph_edges_are_built_once_and_link_prefix_to_board():
    model = reasonkit.build("rrn-sudoku-tiny")
    cell_ = model.core.cell
    assert cell_.edge_index.shape == (2, 1620)
    assert "edge_index" not in cell_.state_dict()
    with_prefix = reasonkit.build("rrn-sudoku-tiny", embedding={"positions": "learned", "puzzle_dim": 32})
    assert with_prefix.core.cell.edge_index.shape == (2, 1620 + 2 * 81)


def test_graph_cell_messages_follow_the_graph():
    """Changing one cell of a 4x4 grid changes, after one step, only itself and its neighbours."""
    torch.manual_seed(0)
    module = cell("graph", ctx(16, task="maze"), update="gru")
    x = torch.randn(1, 16, 16)
    y = x.clone()
    y[0, 5] += 1.0
    changed = (module(x) - module(y)).abs().sum(-1)[0] > 1e-6
    assert changed.nonzero().flatten().tolist() == [1, 4, 5, 6, 9]


@pytest.mark.parametrize("layers", [1, 2, 4])
def test_relational_messages_equal_the_per_edge_mlp_of_the_concatenation(layers):
    """The factorised first layer computes sum_j MLP([h_i, h_j]) exactly as the RRN paper writes it."""
    from reasonkit.blocks.cells._relational import RelationalMessages
    from reasonkit.layers.graphs import peer_graph

    torch.manual_seed(layers)
    messages = RelationalMessages(8, layers)
    for p in messages.parameters():  # non-zero biases, so that the bias placement is checked too
        torch.nn.init.normal_(p)
    edges = peer_graph(4, 2, 2)
    x = torch.randn(3, 16, 8, dtype=torch.float64)
    messages = messages.double()
    source, target = edges
    per_edge = messages.mlp(torch.cat((x[:, target], x[:, source]), dim=-1))
    expected = torch.zeros_like(x).index_add_(1, target, per_edge)
    torch.testing.assert_close(messages(x, edges), expected, rtol=1e-12, atol=1e-12)


def test_conv_cell_reaches_two_cells_per_block_and_weighs_directions():
    """One residual block (two 3x3 convolutions) changes cells up to 2 rows/columns away, no further; and, unlike
    summed graph messages, the change differs between a left and a right neighbour."""
    torch.manual_seed(0)
    module = cell("conv", ctx(49))
    x = torch.randn(1, 49, 16)
    y = x.clone()
    y[0, 24] += 1.0  # the centre of a 7x7 grid
    delta = (module(y) - module(x)).abs().sum(-1)[0].view(7, 7)
    rows, cols = torch.nonzero(delta > 1e-6, as_tuple=True)
    assert rows.min() == 1 and rows.max() == 5 and cols.min() == 1 and cols.max() == 5
    assert not torch.allclose(delta[3, 2], delta[3, 4])


def test_conv_cell_runs_on_any_square_grid_and_feeds_the_prefix():
    torch.manual_seed(0)
    small = cell("conv", ctx(9, prefix=1), layers=2)
    large = cell("conv", ctx(81, prefix=1), layers=2)
    large.load_state_dict(small.state_dict())
    x = torch.randn(2, 82, 16)
    assert large(x).shape == x.shape
    y = x.clone()
    y[:, 40] += 1.0
    assert not torch.allclose(large(x)[:, 0], large(y)[:, 0]), "the prefix sees the board through the pooled mean"
    assert "pool.weight" not in cell("conv", ctx(9)).state_dict()


def test_conv_cell_equals_the_convolutions_written_out():
    torch.manual_seed(0)
    module = cell("conv", ctx(16), layers=1)
    x = torch.randn(2, 16, 16)
    block = module.blocks[0]
    h = x.view(2, 4, 4, 16).permute(0, 3, 1, 2)
    want = h + block.conv_b(torch.relu(block.conv_a(h)))
    torch.testing.assert_close(module(x), want.permute(0, 2, 3, 1).reshape(2, 16, 16))


@pytest.mark.parametrize(
    "fields, seq_len, positions, match",
    [
        ({}, 10, "none", "not a square"),
        ({"kernel_size": 4}, 9, "none", "kernel_size must be odd"),
        ({}, 9, "rope", "no attention to apply rotary"),
        ({"side": 4}, 9, "none", "built for a 4x4 grid"),
    ],
)
def test_conv_cell_rejections(fields, seq_len, positions, match):
    with pytest.raises(ValueError, match=match):
        cell("conv", ctx(seq_len, positions=positions), **fields)


@pytest.mark.parametrize(
    "task, seq_len, match",
    [
        (None, 81, "needs a constraint graph"),
        ("arc", 81, "task 'arc' defines no constraint graph"),
        ("sudoku", 80, "not a square Sudoku grid"),
        ("sudoku", 25, "unsupported Sudoku size 5x5"),
        ("maze", 10, "not a square maze"),
        ("mase", 81, "unknown task kind 'mase'.*Did you mean 'maze'"),
    ],
)
def test_graph_cell_without_a_graph_for_the_task_is_rejected(task, seq_len, match):
    with pytest.raises(ValueError, match=match):
        reasonkit.get_spec("rrn-sudoku-tiny", task=task, seq_len=seq_len)


def test_grid_is_a_deprecated_alias_of_the_maze_task():
    with pytest.warns(DeprecationWarning, match="'grid' is deprecated; use 'maze'"):
        spec = reasonkit.get_spec("rrn-sudoku-tiny", task="grid", seq_len=9)
    assert spec.task == "maze"


def test_lstm_update_needs_an_even_hidden_size():
    with pytest.raises(ValueError, match="even hidden_size"):
        reasonkit.get_spec("rrn-sudoku-tiny", hidden_size=33)


def test_mlp_mixer_is_exactly_trm_mlp_block_structure():
    model = reasonkit.build("trm-mlp-5m")
    block = model.core.net.layers[0]
    assert block.mlp_t.gate_up_proj.weight.shape == (1024, 97)  # sequence axis: 81 + 16 prefix positions
    assert block.mlp.gate_up_proj.weight.shape == (3072, 512)


def test_attention_backends_agree_and_xformers_is_never_a_silent_switch():
    torch.manual_seed(0)
    sdpa = cell("transformer", ctx(9, positions="rope"), num_heads=2, attention="sdpa")
    math_ = cell("transformer", ctx(9, positions="rope"), num_heads=2, attention="math")
    math_.load_state_dict(sdpa.state_dict())
    x = torch.randn(2, 9, 16)
    torch.testing.assert_close(sdpa(x), math_(x), rtol=1e-5, atol=1e-5)
    if importlib.util.find_spec("xformers") is None or not torch.cuda.is_available():
        with pytest.raises(ValueError, match="xformers"):
            reasonkit.build("trm-tiny", **{"core.cell.attention": "xformers"})
