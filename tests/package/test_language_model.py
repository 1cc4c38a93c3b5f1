"""rnn_playground.language_model against Keras: the softmax readout and one chunk of truncated
BPTT against tf.GradientTape on a Keras model (recurrent layer with ``return_sequences`` and
``return_state``, then ``Dense(vocab)``, TensorFlow's sparse softmax cross-entropy) holding the
same weights, for the three cells; the training loop against the same loop written with Keras'
layers and ``keras.optimizers.Adam``; sampling against Keras' predictions; and the bad inputs.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground.language_model import (
    chunk_loss_and_grads,
    sample,
    softmax_readout,
    streams,
    train_truncated,
)
from rnn_playground.testing import random_params

VOCAB, UNITS, BATCH, STEPS = 7, 5, 3, 6
LAYERS = {"simplernn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
TOLERANCE = 1e-12  # float64 against Keras float64, relative to the largest entry


def _relative(ours, theirs):
    theirs = np.asarray(theirs)
    return np.max(np.abs(np.asarray(ours) - theirs)) / np.max(np.abs(theirs))


def _keras_model(params, cell, readout_kernel, readout_bias):
    """Input (batch, time, vocab) and the initial state(s) -> (logits, final state(s))."""
    layer = LAYERS[cell](params.units, return_sequences=True, return_state=True, dtype="float64")
    dense = keras.layers.Dense(VOCAB, dtype="float64")
    x_in = keras.Input((None, VOCAB), dtype="float64")
    states_in = [keras.Input((params.units,), dtype="float64") for _ in range(1 + (cell == "lstm"))]
    sequence, *states_out = layer(x_in, initial_state=states_in)
    model = keras.Model([x_in, *states_in], [dense(sequence), *states_out])
    params.to_keras(layer)
    dense.set_weights([readout_kernel, readout_bias])
    return model, layer, dense


def _keras_chunk(model, layer, dense, x, targets, states):
    """The loss (eq-charlm-loss), its gradients and the final states, by TensorFlow."""
    weights = [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias, *dense.weights]
    with tf.GradientTape() as tape:
        logits, *final = model([tf.constant(x), *[tf.constant(s) for s in states]])
        per_char = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        loss = tf.reduce_sum(per_char) / x.shape[0]
    grads = tape.gradient(loss, weights)
    return float(loss), [g.numpy() for g in grads], [f.numpy() for f in final]


def _case(cell, seed):
    rng = np.random.default_rng(seed)
    params = random_params(VOCAB, UNITS, seed=seed, cell=cell).astype("float64")
    readout_kernel = rng.normal(0, 0.5, (UNITS, VOCAB))
    readout_bias = rng.normal(0, 0.5, VOCAB)
    x = np.eye(VOCAB)[rng.integers(0, VOCAB, (BATCH, STEPS))]
    targets = rng.integers(0, VOCAB, (BATCH, STEPS))
    states = [rng.uniform(-1, 1, (BATCH, UNITS)) for _ in range(1 + (cell == "lstm"))]
    return params, readout_kernel, readout_bias, x, targets, states


@pytest.mark.parametrize("cell", ["simplernn", "gru", "lstm"])
def test_chunk_loss_and_grads_match_keras(cell):
    params, readout_kernel, readout_bias, x, targets, states = _case(cell, seed=1)
    initial_state = tuple(states) if cell == "lstm" else states[0]
    ours = chunk_loss_and_grads(params, readout_kernel, readout_bias, x, targets, initial_state)
    model, layer, dense = _keras_model(params, cell, readout_kernel, readout_bias)
    loss, grads, final = _keras_chunk(model, layer, dense, x, targets, states)
    assert abs(ours.loss - loss) <= TOLERANCE * abs(loss)
    for name, g_ours, g_keras in zip(
        ["kernel", "recurrent_kernel", "bias", "readout kernel", "readout bias"],
        ours.grads,
        grads,
        strict=True,
    ):
        assert g_ours.shape == g_keras.shape, name
        assert _relative(g_ours, g_keras) <= TOLERANCE, name
    ours_final = ours.final_state if cell == "lstm" else (ours.final_state,)
    for s_ours, s_keras in zip(ours_final, final, strict=True):
        assert _relative(s_ours, s_keras) <= TOLERANCE


def test_softmax_readout_matches_keras_dense():
    rng = np.random.default_rng(2)
    outputs = rng.normal(size=(BATCH, STEPS, UNITS))
    kernel, bias = rng.normal(size=(UNITS, VOCAB)), rng.normal(size=VOCAB)
    targets = rng.integers(0, VOCAB, (BATCH, STEPS))
    ours = softmax_readout(outputs, kernel, bias, targets)
    dense = keras.layers.Dense(VOCAB, dtype="float64")
    dense.build((None, UNITS))
    dense.set_weights([kernel, bias])
    a = tf.Variable(outputs)
    with tf.GradientTape() as tape:
        per_char = keras.losses.sparse_categorical_crossentropy(targets, dense(a), from_logits=True)
        loss = tf.reduce_sum(per_char) / BATCH
    d_a, d_kernel, d_bias = tape.gradient(loss, [a, dense.kernel, dense.bias])
    assert abs(ours.loss - float(loss)) <= TOLERANCE * float(loss)
    assert _relative(ours.outputs, d_a) <= TOLERANCE
    assert _relative(ours.kernel, d_kernel) <= TOLERANCE
    assert _relative(ours.bias, d_bias) <= TOLERANCE


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_train_truncated_follows_keras_adam(cell):
    """Five steps over a text of 2 streams of 2 chunks: the state is carried from chunk 1 to
    2, reset to zeros at step 3 (a new epoch); Keras does the same with its own layers."""
    rng = np.random.default_rng(3)
    params, readout_kernel, readout_bias, *_ = _case(cell, seed=3)
    chunk, batch, steps, rate = 4, 2, 5, 2.0**-6
    data = rng.integers(0, VOCAB, 2 * 2 * chunk + 1)
    seen = []
    trained, w_y, b_y, losses = train_truncated(
        params,
        readout_kernel,
        readout_bias,
        data,
        vocab=VOCAB,
        batch=batch,
        chunk=chunk,
        steps=steps,
        learning_rate=rate,
        callback=lambda k, *weights: seen.append(k),
    )
    model, layer, dense = _keras_model(params, cell, readout_kernel, readout_bias)
    optimizer = keras.optimizers.Adam(learning_rate=rate)
    weights = [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias, *dense.weights]
    text = np.stack([data[: 2 * chunk + 1], data[2 * chunk : 4 * chunk + 1]])
    keras_losses = []
    for k in range(steps):
        start = (k % 2) * chunk
        if start == 0:
            states = [np.zeros((batch, UNITS)) for _ in range(1 + (cell == "lstm"))]
        x = np.eye(VOCAB)[text[:, start : start + chunk]]
        targets = text[:, start + 1 : start + chunk + 1]
        with tf.GradientTape() as tape:
            logits, *states = model([tf.constant(x), *[tf.constant(s) for s in states]])
            loss = (
                tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
                / batch
            )
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
        states = [s.numpy() for s in states]
        keras_losses.append(float(loss))
    assert seen == [1, 2, 3, 4, 5]
    assert _relative(losses, keras_losses) <= 1e-11
    ours = [trained.kernel, trained.recurrent_kernel, trained.bias, w_y, b_y]
    for w_ours, w_keras in zip(ours, weights, strict=True):
        assert _relative(w_ours, w_keras.numpy()) <= 1e-9
    # the inputs are not modified
    assert np.array_equal(readout_kernel, _case(cell, seed=3)[1])


@pytest.mark.parametrize("cell", ["simplernn", "lstm"])
def test_sample_at_low_temperature_writes_what_keras_predicts(cell):
    params, readout_kernel, readout_bias, *_ = _case(cell, seed=4)
    prime = np.array([1, 2, 3])
    drawn = sample(params, readout_kernel, readout_bias, prime, 12, temperature=1e-4, rng=0)
    model, *_ = _keras_model(params, cell, readout_kernel, readout_bias)
    written = np.concatenate([prime, drawn])
    zeros = [np.zeros((1, UNITS)) for _ in range(1 + (cell == "lstm"))]
    logits = model([np.eye(VOCAB)[written[:-1]][None], *zeros])[0].numpy()[0]
    assert np.array_equal(np.argmax(logits, axis=-1)[len(prime) - 1 :], drawn)


def test_streams_cut_the_text_in_consecutive_rows():
    data = np.arange(23)
    rows = streams(data, 4)  # 22 // 4 = 5 characters each, and one more
    assert rows.shape == (4, 6)
    assert np.array_equal(rows[1], np.arange(5, 11))


def test_bad_inputs_name_the_argument():
    params, readout_kernel, readout_bias, x, targets, states = _case("gru", seed=5)
    with pytest.raises(TypeError, match="params"):
        chunk_loss_and_grads("gru", readout_kernel, readout_bias, x, targets, states[0])
    with pytest.raises(TypeError, match="targets"):
        chunk_loss_and_grads(params, readout_kernel, readout_bias, x, targets * 1.0, states[0])
    with pytest.raises(ValueError, match="targets"):
        softmax_readout(np.zeros((2, 3, UNITS)), readout_kernel, readout_bias, targets)
    with pytest.raises(ValueError, match="kernel"):
        softmax_readout(np.zeros((2, 3, UNITS + 1)), readout_kernel, readout_bias, targets)
    with pytest.raises(ValueError, match="vocab"):
        train_truncated(
            params,
            readout_kernel,
            readout_bias,
            np.arange(40) % VOCAB,
            vocab=VOCAB + 1,
            batch=2,
            chunk=4,
            steps=1,
            learning_rate=0.01,
        )
    with pytest.raises(ValueError, match="batch"):
        streams(np.arange(5), 10)
    with pytest.raises(ValueError, match="temperature"):
        sample(params, readout_kernel, readout_bias, np.array([1]), 3, temperature=0)
