"""rnn_playground.training's packing of several networks into one block-diagonal layer:
the packed layer's outputs and gradients against each network's Keras layer (tf.GradientTape),
training in the pack against training each network alone, and the bad inputs.
"""

import numpy as np
import pytest

from rnn_playground import (
    GRUParams,
    LSTMParams,
    SimpleRNNParams,
    gru,
    gru_backward,
    lstm,
    lstm_backward,
    simple_rnn,
    simple_rnn_backward,
)
from rnn_playground.testing import keras_gradients, keras_outputs, random_params
from rnn_playground.training import (
    PackedNetworks,
    adam_update,
    adding_problem,
    pack_networks,
    packed_readout_mse,
    readout_mse,
    unpack_networks,
)

# (cell, reset_after, activation, forward, backward)
CELLS = [
    ("simplernn", None, "tanh", simple_rnn, simple_rnn_backward),
    ("simplernn", None, "relu", simple_rnn, simple_rnn_backward),
    ("gru", True, "tanh", gru, gru_backward),
    ("gru", False, "tanh", gru, gru_backward),
    ("lstm", None, "tanh", lstm, lstm_backward),
]
IDS = ["simplernn", "simplernn-relu", "gru", "gru-reset-before", "lstm"]
COUNT, FEATURES, UNITS, BATCH, STEPS = 3, 2, 4, 5, 6


def _networks(cell, reset_after, seed=0):
    options = {"reset_after": reset_after} if cell == "gru" else {}
    return [
        random_params(FEATURES, UNITS, seed=seed + i, cell=cell, **options) for i in range(COUNT)
    ]


def _rebuild(like, arrays):
    """Weights of the class and form (reset_after) of ``like`` from three arrays."""
    options = {"reset_after": like.reset_after} if isinstance(like, GRUParams) else {}
    return type(like)(*arrays, **options)


def _side_by_side(arrays):
    return np.concatenate(arrays, axis=-1)


@pytest.mark.parametrize(
    ("cell", "reset_after", "activation", "forward", "backward"), CELLS, ids=IDS
)
def test_packed_layer_is_each_network_in_keras(
    cell, reset_after, activation, forward, backward, rng
):
    """Each network's slice of the packed output, and its blocks of the packed gradients,
    are what its own Keras layer and tf.GradientTape give on its own inputs."""
    networks = _networks(cell, reset_after)
    packed = pack_networks(networks)
    inputs = [rng.standard_normal((BATCH, STEPS, FEATURES)) for _ in networks]
    output_grads = [rng.standard_normal((BATCH, STEPS, UNITS)) for _ in networks]
    x = _side_by_side(inputs)
    options = {"activation": activation, "return_sequences": True}
    output = forward(x, packed.params, **options)
    grads = backward(x, packed.params, _side_by_side(output_grads), **options)
    blocks = networks[0].kernel.shape[1] // UNITS
    for i, (params, x_i, g_i) in enumerate(zip(networks, inputs, output_grads, strict=True)):
        mine = np.arange(blocks * COUNT * UNITS).reshape(blocks, COUNT, UNITS)[:, i].ravel()
        rows_x, rows_h = slice(i * FEATURES, (i + 1) * FEATURES), slice(i * UNITS, (i + 1) * UNITS)
        expected = keras_outputs(params, x_i, **options)
        np.testing.assert_allclose(output[..., rows_h], expected, rtol=0, atol=1e-12)
        tape = keras_gradients(params, x_i, g_i, **options)
        np.testing.assert_allclose(grads.inputs[..., rows_x], tape.inputs, rtol=0, atol=1e-12)
        np.testing.assert_allclose(grads.kernel[rows_x][:, mine], tape.kernel, atol=1e-11)
        np.testing.assert_allclose(
            grads.recurrent_kernel[rows_h][:, mine], tape.recurrent_kernel, atol=1e-11
        )
        np.testing.assert_allclose(grads.bias[..., mine], tape.bias, atol=1e-11)
    # the masks select exactly the networks' blocks
    assert packed.kernel_mask.sum() == COUNT * FEATURES * blocks * UNITS
    assert packed.recurrent_mask.sum() == COUNT * UNITS * blocks * UNITS
    assert np.all(packed.params.kernel[packed.kernel_mask == 0] == 0)
    assert np.all(packed.params.recurrent_kernel[packed.recurrent_mask == 0] == 0)


@pytest.mark.parametrize(
    ("cell", "reset_after", "activation", "forward", "backward"), CELLS, ids=IDS
)
def test_pack_and_unpack_give_the_networks_back(cell, reset_after, activation, forward, backward):
    networks = _networks(cell, reset_after)
    packed = pack_networks(networks)
    assert isinstance(packed, PackedNetworks)
    assert packed.count == COUNT
    assert type(packed.params) is type(networks[0])
    assert (packed.params.input_dim, packed.params.units) == (COUNT * FEATURES, COUNT * UNITS)
    assert getattr(packed.params, "reset_after", None) == reset_after
    back = unpack_networks(packed.params, COUNT)
    for a, b in zip(back, networks, strict=True):
        assert type(a) is type(b)
        assert getattr(a, "reset_after", None) == getattr(b, "reset_after", None)
        for x, y in zip(
            (a.kernel, a.recurrent_kernel, a.bias),
            (b.kernel, b.recurrent_kernel, b.bias),
            strict=True,
        ):
            np.testing.assert_array_equal(x, y)


def _train_alone(params, readout, batches, learning_rate, forward, backward, activation):
    """Plain training of one network, as the training chapter does it: no packing."""
    weights = [np.array(a) for a in (params.kernel, params.recurrent_kernel, params.bias)]
    weights += [np.array(a) for a in readout]
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    losses = []
    for k, (x, y) in enumerate(batches, start=1):
        p = _rebuild(params, weights[:3])
        error = readout_mse(forward(x, p, activation=activation), weights[3], weights[4], y)
        g = backward(x, p, error.state, activation=activation)
        grads = [g.kernel, g.recurrent_kernel, g.bias, error.kernel, error.bias]
        weights, m, v = adam_update(weights, grads, m, v, k, learning_rate=learning_rate)
        losses.append(error.loss)
    return np.array(losses), weights


@pytest.mark.parametrize(
    ("cell", "reset_after", "activation", "forward", "backward"), CELLS, ids=IDS
)
def test_training_in_a_pack_is_training_each_alone(
    cell, reset_after, activation, forward, backward, rng
):
    """Twenty Adam steps on the adding problem, each network on its own batches: in the pack
    (masked gradients) and one by one, the losses and final weights agree to float64
    rounding and the weights outside the blocks stay exactly zero."""
    networks = _networks(cell, reset_after)
    readouts = [(rng.standard_normal((UNITS, 1)) * 0.3, np.zeros(1)) for _ in networks]
    batches = [[adding_problem(BATCH, STEPS, rng) for _ in range(20)] for _ in networks]
    learning_rate = 2.0**-6
    packed = pack_networks(networks)
    weights = [
        np.array(a)
        for a in (packed.params.kernel, packed.params.recurrent_kernel, packed.params.bias)
    ]
    weights += [np.array(a) for pair in readouts for a in pair]
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    packed_losses = []
    for k in range(1, 21):
        x = _side_by_side([b[k - 1][0] for b in batches])
        targets = [b[k - 1][1] for b in batches]
        params = _rebuild(packed.params, weights[:3])
        errors = packed_readout_mse(
            forward(x, params, activation=activation), weights[3::2], weights[4::2], targets
        )
        g = backward(
            x, params, np.concatenate([e.state for e in errors], axis=1), activation=activation
        )
        grads = [g.kernel * packed.kernel_mask, g.recurrent_kernel * packed.recurrent_mask, g.bias]
        grads += [a for e in errors for a in (e.kernel, e.bias)]
        weights, m, v = adam_update(weights, grads, m, v, k, learning_rate=learning_rate)
        packed_losses.append([e.loss for e in errors])
    packed_losses = np.array(packed_losses)
    trained = unpack_networks(_rebuild(packed.params, weights[:3]), COUNT)
    assert np.all(weights[0][packed.kernel_mask == 0] == 0)
    assert np.all(weights[1][packed.recurrent_mask == 0] == 0)
    for i, network in enumerate(networks):
        losses, alone = _train_alone(
            network, readouts[i], batches[i], learning_rate, forward, backward, activation
        )
        assert losses[-1] != losses[0]  # it trained
        np.testing.assert_allclose(packed_losses[:, i], losses, rtol=1e-12, atol=0)
        ours = (trained[i].kernel, trained[i].recurrent_kernel, trained[i].bias)
        ours += (weights[3 + 2 * i], weights[4 + 2 * i])
        for a, b in zip(ours, alone, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_unpack_ignores_weights_outside_the_blocks(rng):
    networks = _networks("lstm", None)
    packed = pack_networks(networks)
    noise = rng.standard_normal(packed.params.recurrent_kernel.shape)
    noisy = LSTMParams(
        packed.params.kernel,
        packed.params.recurrent_kernel + noise * (1 - packed.recurrent_mask),
        packed.params.bias,
    )
    for a, b in zip(unpack_networks(noisy, COUNT), networks, strict=True):
        np.testing.assert_array_equal(a.recurrent_kernel, b.recurrent_kernel)


def test_pack_networks_returns_new_arrays():
    networks = _networks("gru", True)
    packed = pack_networks(networks)
    for params in networks:
        assert not np.shares_memory(packed.params.kernel, params.kernel)
    packed.kernel_mask[:] = 0  # the masks are the caller's to change
    assert pack_networks(networks).kernel_mask.sum() > 0


def test_packed_readout_mse_is_readout_mse_per_network(rng):
    state = rng.standard_normal((BATCH, COUNT * UNITS))
    kernels = [rng.standard_normal((UNITS, 1)) for _ in range(COUNT)]
    biases = [rng.standard_normal(1) for _ in range(COUNT)]
    targets = [rng.standard_normal((BATCH, 1)) for _ in range(COUNT)]
    errors = packed_readout_mse(state, kernels, biases, targets)
    assert len(errors) == COUNT
    for i, error in enumerate(errors):
        # an independent computation: the mean squared error and its gradient by hand
        y_hat = state[:, i * UNITS : (i + 1) * UNITS] @ kernels[i] + biases[i]
        assert np.isclose(error.loss, np.mean((y_hat - targets[i]) ** 2), rtol=1e-14)
        d_y = 2 * (y_hat - targets[i]) / BATCH
        np.testing.assert_allclose(error.state, d_y @ kernels[i].T, rtol=1e-13)


# -- bad input ------------------------------------------------------------------------------
SIMPLE = SimpleRNNParams.init(2, 3, seed=0, dtype="float64")


@pytest.mark.parametrize(
    ("networks", "error", "pattern"),
    [
        (SIMPLE, TypeError, "networks must be a list or tuple"),
        ([], ValueError, "at least one network"),
        ([np.ones((2, 3))], TypeError, r"networks\[0\] must be a SimpleRNNParams"),
        (
            [SIMPLE, GRUParams.init(2, 3, seed=0, dtype="float64")],
            TypeError,
            r"one cell.*networks\[1\] a GRUParams",
        ),
        ([SIMPLE, SimpleRNNParams.init(2, 4, dtype="float64")], ValueError, r"networks\[1\]"),
        ([SIMPLE, SIMPLE.astype("float32")], ValueError, "dtype"),
        ([SIMPLE, SimpleRNNParams.init(2, 3, use_bias=False, dtype="float64")], ValueError, "bias"),
        (
            [GRUParams.init(2, 3), GRUParams.init(2, 3, reset_after=False)],
            ValueError,
            "reset_after|bias",
        ),
    ],
)
def test_pack_networks_rejects(networks, error, pattern):
    with pytest.raises(error, match=pattern):
        pack_networks(networks)


@pytest.mark.parametrize(
    ("params", "count", "error", "pattern"),
    [
        (np.ones((2, 3)), 1, TypeError, "params must be"),
        (SIMPLE, 0, ValueError, "count must be a positive integer"),
        (SIMPLE, 2.0, TypeError, "count must be a positive integer"),
        (SIMPLE, 2, ValueError, r"count must divide.*units=3"),
    ],
)
def test_unpack_networks_rejects(params, count, error, pattern):
    with pytest.raises(error, match=pattern):
        unpack_networks(params, count)


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (dict(kernels=np.ones((3, 1))), TypeError, "kernels must be a list or tuple"),
        (dict(biases=[np.ones(1)]), ValueError, "one array per network"),
        (dict(state=np.ones((4, 7))), ValueError, r"count·units.*\(4, 7\)"),
        (dict(targets=[np.ones((4, 1)), np.ones((5, 1))]), ValueError, r"targets must have shape"),
    ],
)
def test_packed_readout_mse_rejects(change, error, pattern):
    arguments = dict(
        state=np.ones((4, 6)),
        kernels=[np.ones((3, 1))] * 2,
        biases=[np.ones(1)] * 2,
        targets=[np.ones((4, 1))] * 2,
    )
    with pytest.raises(error, match=pattern):
        packed_readout_mse(**(arguments | change))
