"""rnn_playground.torch_layout against real PyTorch: torch.nn.RNN, GRU and LSTM.

Both directions, with PyTorch's own module as the reference: weights converted from Keras
(``to_state_dict``) make the module compute what Keras and the package compute, and a module's
own weights (``from_state_dict(module.state_dict())``) make Keras and the package compute what
the module computes; time-major and ``batch_first`` inputs, given and default h0/c0, with and
without biases, float32 and float64. Run with ``make test-torch``.
"""

import numpy as np
import pytest
import torch

from rnn_playground import gru, lstm, simple_rnn
from rnn_playground.testing import ATOL, keras_outputs, random_params
from rnn_playground.torch_layout import from_state_dict, to_state_dict

BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5
MODULES = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
CELLS = {"rnn": "simplernn", "gru": "gru", "lstm": "lstm"}
OURS = {"rnn": simple_rnn, "gru": gru, "lstm": lstm}
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def module_for(variant, dtype, *, bias=True, batch_first=False, **options):
    return MODULES[variant](FEATURES, UNITS, bias=bias, batch_first=batch_first, **options).to(
        DTYPES[dtype]
    )


def run_module(module, variant, x, states, batch_first):
    """The module on batch-major NumPy x and (batch, units) states (None: PyTorch's zeros);
    returns (output, *final states) batch-major, as Keras does."""
    inputs = torch.from_numpy(x if batch_first else np.ascontiguousarray(x.swapaxes(0, 1)))
    with torch.no_grad():
        if states is None:
            output, final = module(inputs)
        else:
            initial = [torch.from_numpy(s[None].copy()) for s in states]
            output, final = module(inputs, tuple(initial) if variant == "lstm" else initial[0])
    output = output.numpy()
    output = output if batch_first else output.swapaxes(0, 1)
    finals = final if variant == "lstm" else (final,)
    return (output, *(f.numpy()[0] for f in finals))


def data(variant, rng, dtype):
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype(dtype)
    states = rng.uniform(-1, 1, size=(2 if variant == "lstm" else 1, BATCH, UNITS))
    return x, tuple(s.astype(dtype) for s in states)


def keras_state(variant, states):
    if states is None:
        return None
    return states if variant == "lstm" else states[0]


def assert_close(ours, theirs, dtype):
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.shape == reference.shape
        np.testing.assert_allclose(mine, reference, rtol=0, atol=ATOL[dtype])


OPTIONS = [
    pytest.param(batch_first, with_state, id=f"{'batch_first' if batch_first else 'time_major'}-"
                 f"{'h0' if with_state else 'zeros'}")
    for batch_first in (False, True) for with_state in (True, False)
]  # fmt: skip


@pytest.mark.parametrize(("batch_first", "with_state"), OPTIONS)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("variant", list(MODULES))
def test_keras_weights_in_a_torch_module(variant, dtype, bias, batch_first, with_state, rng):
    """Keras -> PyTorch: the module loads to_state_dict's arrays (strictly: the same keys) and
    computes what Keras computes."""
    params = random_params(FEATURES, UNITS, seed=rng, dtype=dtype, use_bias=bias,
                           cell=CELLS[variant])  # fmt: skip
    x, states = data(variant, rng, dtype)
    states = states if with_state else None
    module = module_for(variant, dtype, bias=bias, batch_first=batch_first)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in to_state_dict(params).items()})
    theirs = run_module(module, variant, x, states, batch_first)
    options = dict(return_sequences=True, return_state=True)
    if states is not None:
        options["initial_state"] = keras_state(variant, states)
    assert_close(theirs, keras_outputs(params, x, **options), dtype)
    assert_close(theirs, OURS[variant](x, params, **options), dtype)


@pytest.mark.parametrize(("batch_first", "with_state"), OPTIONS)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("variant", list(MODULES))
def test_a_torch_modules_weights_in_keras(variant, dtype, bias, batch_first, with_state, rng):
    """PyTorch -> Keras: a module's own (randomly initialised) weights, and biases made
    different from each other, give Keras and the package the module's results."""
    module = module_for(variant, dtype, bias=bias, batch_first=batch_first)
    if bias:
        with torch.no_grad():  # PyTorch draws both biases alike; make them clearly apart
            module.bias_hh_l0.add_(0.5)
            module.bias_ih_l0.sub_(0.25)
    x, states = data(variant, rng, dtype)
    states = states if with_state else None
    theirs = run_module(module, variant, x, states, batch_first)
    params = from_state_dict(module.state_dict())
    assert params.dtype == np.dtype(dtype)
    options = dict(return_sequences=True, return_state=True)
    if states is not None:
        options["initial_state"] = keras_state(variant, states)
    assert_close(keras_outputs(params, x, **options), theirs, dtype)
    assert_close(OURS[variant](x, params, **options), theirs, dtype)


def test_relu_rnn(rng):
    module = module_for("rnn", "float64", nonlinearity="relu")
    x, states = data("rnn", rng, "float64")
    theirs = run_module(module, "rnn", x, states, False)
    params = from_state_dict(module.state_dict())
    options = dict(activation="relu", initial_state=states[0], return_sequences=True,
                   return_state=True)  # fmt: skip
    assert_close(keras_outputs(params, x, **options), theirs, "float64")


@pytest.mark.parametrize("variant", list(MODULES))
def test_round_trip_through_a_module(variant, rng):
    """Keras -> module -> Keras gives the same weights back, bit for bit."""
    params = random_params(FEATURES, UNITS, seed=rng, dtype="float32", cell=CELLS[variant])
    module = module_for(variant, "float32")
    module.load_state_dict({k: torch.from_numpy(v) for k, v in to_state_dict(params).items()})
    back = from_state_dict(module.state_dict())
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))


def test_tensors_that_require_grad_are_accepted():
    module = module_for("lstm", "float32")
    named = dict(module.named_parameters())  # tensors with requires_grad=True
    assert all(t.requires_grad for t in named.values())
    params = from_state_dict(named)
    np.testing.assert_array_equal(params.kernel, module.weight_ih_l0.detach().numpy().T)


def test_a_gru_module_is_keras_reset_after_and_not_reset_before(rng):
    """The reset_before GRU is refused; on the same weights it is a different function."""
    module = module_for("gru", "float64")
    x, states = data("gru", rng, "float64")
    theirs = run_module(module, "gru", x, states, False)
    after = from_state_dict(module.state_dict())
    before = type(after)(after.kernel, after.recurrent_kernel, after.bias[0] + after.bias[1],
                         reset_after=False)  # fmt: skip
    with pytest.raises(ValueError, match="reset_after=False has no PyTorch equivalent"):
        to_state_dict(before)
    differs = gru(x, before, initial_state=states[0], return_sequences=True)
    assert np.abs(differs - theirs[0]).max() > 1e-3
