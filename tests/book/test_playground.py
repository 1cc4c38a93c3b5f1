"""The playground page (docs/playground.md) in the browser.

* ``window.rnnPlayground`` (docs/_static/playground/rnn.js) is called with random weights and
  inputs and compared, in float64, with ``rnn_playground.simple_rnn`` (states: at most 1e-12
  apart) and with the norms of Jacobians obtained from ``rnn_playground.simple_rnn_backward``
  (relative difference at most 1e-12). Bad arguments get a TypeError or RangeError naming them.
* The weights the page draws are what the page says (orthogonal, spectral radius ρ, the shear
  of the non-normal matrix), and the views show what the package computes for them.
* A person's keyboard and pointer operate every control, focus stays visible, and every move
  redraws the views; no request leaves the host meanwhile. Screenshots of the playground in
  both modes go to the screenshots directory (``browsing.SCREENSHOTS``).
* Every statement of the page's "What to try" holds, computed with the package on the weights
  and inputs the page draws.

Needs the built site and a Chromium (see browsing.py).
"""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import urlsplit

import numpy as np
import pytest
from browsing import MODES, SCREENSHOTS, TIMEOUT_MS, focus_indicator, switch_to_dark

from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_backward

pytestmark = pytest.mark.browser

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
TOLERANCE = 1e-12  # float64: the two programs differ only in the order of their sums
DEFAULTS = {  # the page's first settings (rnn.js DEFAULTS), which "What to try" refers to
    "cell": "simple_rnn",
    "resetAfter": True,
    "rho": 0.9,
    "matrix": "orthogonal",
    "inputScale": 1,
    "biasScale": 0,
    "forgetBias": 1,
    "updateBias": 0,
    "activation": "tanh",
    "recurrentActivation": "sigmoid",
    "steps": 200,
    "units": 32,
    "pattern": "impulse",
    "seed": 1,
}

# What is drawn, to tell whether a move of a control redrew the views.
VIEWS = """
() => ({
  heatmap: document.querySelector("#pg-heatmap image").getAttribute("href"),
  frame: document.querySelector("#pg-heatmap .pg-selected-unit").getAttribute("y"),
  trajectory: document.querySelector("#pg-trajectory path.pg-line").getAttribute("d"),
  jacobian: Array.from(document.querySelectorAll("#pg-jacobian path"), (p) => p.getAttribute("d"))
    .join(" "),
  equation: document.getElementById("pg-equation").textContent,
  revision: rnnPlayground.view.revision,
})
"""
SETTINGS = "() => rnnPlayground.view.settings"
MATH_SPOKEN = """
() => {
  const formulas = Array.from(document.querySelectorAll(".math"));
  return formulas.length > 0 &&
    formulas.every((f) => f.querySelector("mjx-container > mjx-speech[aria-label]"));
}
"""


# -- the package's side ---------------------------------------------------------------------
def reference_norms(inputs, params, activation, initial_state=None):
    """‖∂a⟨T⟩/∂a⟨t⟩‖₂ of one sequence (1, T, features) for t = 0 … T − 1, from one call of
    ``simple_rnn_backward``.

    The inputs get ``units`` extra features, all zero, whose rows of ``kernel`` are
    ``recurrent_kernel``: an extra input e at step t + 1 adds e @ recurrent_kernel to z⟨t+1⟩,
    exactly as a change e of a⟨t⟩ would, and a⟨t⟩ is read nowhere else. With one example per
    unit i, the final state's gradient S = e_i and no output gradient, the gradient of the
    extra inputs at step t + 1 is row i of ∂a⟨T⟩/∂a⟨t⟩ (eq-bptt-inputs of the book)."""
    x = np.asarray(inputs, dtype=np.float64)
    _, length, features = x.shape
    units = params.units
    a0 = np.zeros((1, units)) if initial_state is None else np.asarray(initial_state)
    widened = SimpleRNNParams(
        np.concatenate([params.kernel, params.recurrent_kernel]),
        params.recurrent_kernel,
        params.bias,
    )
    extra = np.zeros((units, length, units))
    grads = simple_rnn_backward(
        np.concatenate([np.repeat(x, units, axis=0), extra], axis=2),
        widened,
        np.zeros((units, units)),  # no output gradient
        initial_state=np.repeat(a0, units, axis=0),
        activation=activation,
        state_grad=np.eye(units),  # S = e_i for example i
    )
    jacobians = grads.inputs[:, :, features:].transpose(1, 0, 2)  # [t] = ∂a⟨T⟩/∂a⟨t⟩
    return np.linalg.norm(jacobians, 2, axis=(1, 2))


def params_of(model) -> SimpleRNNParams:
    return SimpleRNNParams(
        np.array(model["kernel"]), np.array(model["recurrentKernel"]), np.array(model["bias"])
    )


def relative_difference(ours, reference):
    ours, reference = np.asarray(ours), np.asarray(reference)
    zero = reference == 0
    assert np.all(ours[zero] == 0), "a norm that is exactly 0 in the package is not 0 here"
    return float(np.max(np.abs(ours[~zero] - reference[~zero]) / reference[~zero], initial=0))


# -- the page ---------------------------------------------------------------------------------
def open_playground(browser, site_url, mode="light", *, keyboard=True):
    """A fresh page on the playground; off-host requests are blocked and listed in ``.off_host``,
    console errors and page errors in ``.errors``. ``keyboard=False``: not waiting for MathJax's
    speech (about 4 s), for a page whose tests never Tab through the formulas."""
    context = browser.new_context(
        color_scheme=mode, viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    context.add_init_script(f"localStorage.setItem('mode', '{mode}');")
    origin = urlsplit(site_url).netloc
    off_host, errors = [], []

    def route(route):
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            off_host.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + "playground.html", wait_until="load")
    page.wait_for_function("() => window.rnnPlayground && rnnPlayground.view.revision >= 1")
    # Ready for the keyboard once MathJax has attached speech to every formula: MathJax 4.1.3
    # throws a TypeError in its explorer when Tab reaches a formula before that.
    if keyboard:
        page.wait_for_function(MATH_SPOKEN)
    page.off_host, page.errors = off_host, errors
    return context, page


# ``playground``, one page for the tests that only call its functions: tests/book/conftest.py


@pytest.fixture
def fresh(browser, site_url):
    """A playground page of its own, for the tests that move its controls."""
    context, page = open_playground(browser, site_url)
    yield page
    try:
        assert not page.off_host, f"requests left the host: {page.off_host}"
        assert not page.errors, f"errors in the page: {page.errors}"
    finally:
        context.close()


def js_simple_rnn(page, x, kernel, recurrent, bias, activation, a0=None):
    return page.evaluate(
        "([x, k, r, b, o]) => rnnPlayground.simpleRnn(x, k, r, b, o)",
        [x.tolist(), kernel.tolist(), recurrent.tolist(), None if bias is None else bias.tolist(),
         {"activation": activation, "initialState": None if a0 is None else a0.tolist()}],
    )  # fmt: skip


def js_jacobian_norms(page, x, kernel, recurrent, bias, activation, a0=None):
    return page.evaluate(
        "([x, k, r, b, o]) => rnnPlayground.jacobianNorms(x, k, r, b, o)",
        [x.tolist(), kernel.tolist(), recurrent.tolist(), None if bias is None else bias.tolist(),
         {"activation": activation, "initialState": None if a0 is None else a0.tolist()}],
    )  # fmt: skip


def model(page, **settings):
    return page.evaluate("(s) => rnnPlayground.makeModel(s)", {**DEFAULTS, **settings})


def random_case(rng, gain):
    batch, steps = rng.integers(1, 4), rng.integers(1, 21)
    features, units = rng.integers(1, 6), rng.integers(1, 9)
    x = rng.standard_normal((batch, steps, features))
    kernel = rng.standard_normal((features, units)) / np.sqrt(features)
    recurrent = rng.standard_normal((units, units)) * gain / np.sqrt(units)
    bias = rng.normal(0, 0.3, units) if rng.random() < 0.7 else None
    a0 = rng.standard_normal((batch, units)) if rng.random() < 0.7 else None
    return x, kernel, recurrent, bias, a0


# -- the functions against the package ---------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_simple_rnn_matches_the_package(playground, activation):
    rng = np.random.default_rng(ACTIVATIONS.index(activation))
    largest = 0.0
    for gain in (0.5, 0.9, 1.2):
        for _ in range(4):
            x, kernel, recurrent, bias, a0 = random_case(rng, gain)
            params = SimpleRNNParams(kernel, recurrent, bias)
            theirs = simple_rnn(
                x, params, initial_state=a0, activation=activation, return_sequences=True
            )
            ours = np.array(js_simple_rnn(playground, x, kernel, recurrent, bias, activation, a0))
            assert ours.shape == theirs.shape
            largest = max(largest, float(np.max(np.abs(ours - theirs))))
    print(f"simpleRnn, {activation}: largest difference {largest:.1e}")
    assert largest <= TOLERANCE


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_jacobian_norms_match_the_package(playground, activation):
    rng = np.random.default_rng(10 + ACTIVATIONS.index(activation))
    largest = 0.0
    for gain in (0.5, 0.9, 1.5):
        for _ in range(3):
            x, kernel, recurrent, bias, a0 = random_case(rng, gain)
            params = SimpleRNNParams(kernel, recurrent, bias)
            ours = js_jacobian_norms(playground, x, kernel, recurrent, bias, activation, a0)
            for b, norms in enumerate(ours):
                start = None if a0 is None else a0[b : b + 1]
                theirs = reference_norms(x[b : b + 1], params, activation, start)
                assert len(norms) == len(theirs)
                largest = max(largest, relative_difference(norms, theirs))
    print(f"jacobianNorms, {activation}: largest relative difference {largest:.1e}")
    assert largest <= TOLERANCE


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ("[[[[1, 2]]], [[1], [2], [3]], [[1]], [1]]", "RangeError: kernel has 3 rows"),
        ("[[[[1, 2]]], [[1], [2]], [[1, 0]], [1]]", "RangeError: recurrentKernel must have shape"),
        ("[[[[1, 2]]], [[1], [2]], [[1]], [1, 2]]", "RangeError: bias must have shape"),
        ("[[[[1, 2], [3]]], [[1], [2]], [[1]], [1]]", "RangeError: inputs must be rectangular"),
        ("[[[]], [[1]], [[1]], [1]]", "RangeError: inputs must not be empty"),
        ("[[[['1', 2]]], [[1], [2]], [[1]], [1]]", "TypeError: inputs[0][0][0] must be a number"),
        ("[[1, 2], [[1], [2]], [[1]], [1]]", "TypeError: inputs must be a nested array of rank 3"),
        (
            "[[[[1, 2]]], [[1], [2]], [[1]], [1], {activation: 'softmax'}]",
            "TypeError: options.activation must be one of tanh, relu, sigmoid, linear",
        ),
        (
            "[[[[1, 2]]], [[1], [2]], [[1]], [1], {initialState: [[1, 2]]}]",
            "RangeError: options.initialState must have shape (batch, units) = [1,1]",
        ),
    ],
)
@pytest.mark.parametrize("function", ["simpleRnn", "jacobianNorms"])
def test_bad_arguments_are_named(playground, function, arguments, error):
    from playwright.sync_api import Error

    with pytest.raises(Error, match=re.escape(error)):
        playground.evaluate(f"() => rnnPlayground.{function}(...{arguments})")


def test_arguments_are_not_modified(playground):
    changed = playground.evaluate(
        """() => {
          const args = [[[[1, 2], [0.5, -1]]], [[0.3], [-0.2]], [[0.9]], [0.1],
                        {activation: "relu", initialState: [[0.4]]}];
          const before = JSON.stringify(args);
          rnnPlayground.simpleRnn(...args);
          rnnPlayground.jacobianNorms(...args);
          return JSON.stringify(args) !== before;
        }"""
    )
    assert not changed


# -- the page's weights and views ---------------------------------------------------------------
@pytest.mark.parametrize(("rho", "units", "seed"), [(0.73, 7, 5), (1.21, 32, 2), (1.5, 1, 0)])
def test_the_weights_are_as_the_page_says(playground, rho, units, seed):
    normal = model(playground, rho=rho, units=units, seed=seed)
    w = np.array(normal["recurrentKernel"]).T  # W_aa = recurrent_kernelᵀ
    q = np.array(normal["orthogonal"])
    assert np.allclose(w, rho * q, rtol=0, atol=1e-15)
    assert np.abs(q.T @ q - np.eye(units)).max() < 1e-13, "Q is orthogonal"
    assert np.allclose(np.abs(np.linalg.eigvals(w)), rho, rtol=1e-12, atol=0)
    kernel = np.array(normal["kernel"])
    assert kernel.shape == (4, units)
    assert np.abs(kernel).max() <= np.sqrt(6 / (4 + units)), "Glorot uniform"
    assert np.all(np.array(normal["bias"]) == 0)

    skewed = model(playground, rho=rho, units=units, seed=seed, matrix="nonnormal")
    if units == 1:  # no two orthogonal unit vectors: no shear, and a 1 × 1 matrix is normal
        assert skewed["shear"] is None
        assert skewed["recurrentKernel"] == normal["recurrentKernel"]
        return
    w_nn = np.array(skewed["recurrentKernel"]).T
    u, v, beta = (np.array(skewed["shear"][k]) for k in ("u", "v", "beta"))
    shear = np.eye(units) + beta * np.outer(u, v)
    assert abs(u @ v) < 1e-15
    assert np.isclose(u @ u, 1)
    assert np.isclose(v @ v, 1)
    assert np.allclose(w_nn, shear @ (rho * q) @ np.linalg.inv(shear), rtol=0, atol=1e-13)
    assert np.allclose(np.abs(np.linalg.eigvals(w_nn)), rho, rtol=1e-9, atol=0), "same ρ"
    assert np.isclose(skewed["shear"]["condition"], np.linalg.cond(shear), rtol=1e-12)
    non_normality = np.abs(w_nn @ w_nn.T - w_nn.T @ w_nn).max()
    assert non_normality > 0.1 * rho**2, "W_aa Wᵀ_aa ≠ Wᵀ_aa W_aa"


def test_the_inputs_and_bias_are_as_the_page_says(playground):
    impulse = np.array(model(playground, inputScale=0.7, steps=12)["inputs"])
    assert impulse.shape == (1, 12, 4)
    assert np.all(impulse[0, 0] == 0.7)
    assert np.all(impulse[0, 1:] == 0)
    constant = np.array(model(playground, inputScale=2, pattern="constant", steps=9)["inputs"])
    assert np.all(constant == 2)
    short = np.array(model(playground, pattern="random", steps=10)["inputs"])
    long = np.array(model(playground, pattern="random", steps=30)["inputs"])
    assert np.array_equal(short[0], long[0, :10]), "a longer sequence keeps the first steps"
    assert abs(long.std() - 1) < 0.3
    half = np.array(model(playground, biasScale=0.5)["bias"])
    full = np.array(model(playground, biasScale=1)["bias"])
    assert np.all(half != 0)
    assert np.array_equal(half, full / 2)


def test_the_views_show_the_package_numbers(fresh):
    view = fresh.evaluate("() => rnnPlayground.view")
    settings, page_model = view["settings"], view["model"]
    assert settings == DEFAULTS
    params = params_of(page_model)
    x = np.array(page_model["inputs"])
    states = simple_rnn(x, params, activation=settings["activation"], return_sequences=True)[0]
    assert np.abs(np.array(view["outputs"]) - states).max() <= TOLERANCE
    norms = reference_norms(x, params, settings["activation"])
    assert relative_difference(view["norms"], norms) <= TOLERANCE
    assert np.isclose(view["recurrentNorm"], np.linalg.norm(params.recurrent_kernel, 2))

    # The Jacobian view: one point per t, its height linear in log10 of the norm.
    path = fresh.get_attribute("#pg-jacobian path.pg-line", "d")
    points = np.array([[float(v) for v in p.split(",")] for p in re.split("[ML]", path)[1:]])
    assert len(points) == settings["steps"]
    fit = np.polyfit(np.log10(norms), points[:, 1], 1)
    assert fit[0] < 0
    assert np.abs(np.polyval(fit, np.log10(norms)) - points[:, 1]).max() < 0.01

    # The trajectory: a⟨0⟩ = 0, then the chosen unit's states, linear in the height.
    unit = view["unit"]
    path = fresh.get_attribute("#pg-trajectory path.pg-line", "d")
    points = np.array([[float(v) for v in p.split(",")] for p in re.split("[ML]", path)[1:]])
    values = np.concatenate([[0], states[:, unit - 1]])
    fit = np.polyfit(values, points[:, 1], 1)
    assert fit[0] < 0
    assert np.abs(np.polyval(fit, values) - points[:, 1]).max() < 0.01

    # The heatmap: one pixel per (step, unit); the sign of a state decides its hue.
    from PIL import Image

    href = fresh.get_attribute("#pg-heatmap image", "href")
    image = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))).convert("RGB")
    assert image.size == (settings["steps"], settings["units"])
    pixels = np.array(image, dtype=float)  # (units, steps, rgb)
    blue_minus_red = pixels[..., 2] - pixels[..., 0]
    strong = np.abs(states.T) > 0.1
    assert np.all(np.sign(blue_minus_red[strong]) == -np.sign(states.T[strong]))

    # Math to code: the terms of the chosen step and unit.
    t, j = view["step"], unit - 1
    previous = np.zeros(params.units) if t == 1 else states[t - 2]
    expected = {
        "pg-term-input": (x[0, t - 1] @ params.kernel)[j],
        "pg-term-bias": params.bias[j],
        "pg-term-recurrent": (previous @ params.recurrent_kernel)[j],
        "pg-term-state": states[t - 1, j],
    }
    expected["pg-term-z"] = sum(
        expected[k] for k in ("pg-term-input", "pg-term-bias", "pg-term-recurrent")
    )
    for cell, value in expected.items():
        shown = fresh.get_attribute(f"#{cell}", "data-value")
        assert abs(float(shown) - value) <= TOLERANCE, cell
        text = fresh.text_content(f"#{cell}").replace("−", "-")
        assert abs(float(text) - value) <= 1e-6 * max(1, abs(value)), (cell, text)
    assert np.isclose(np.tanh(expected["pg-term-z"]), expected["pg-term-state"], rtol=1e-14)


# -- the controls, as a person uses them ---------------------------------------------------------
def changes(page, action):
    """Do ``action`` and wait for the redraw; return what was drawn before and after."""
    before = page.evaluate(VIEWS)
    action()
    page.wait_for_function(f"() => rnnPlayground.view.revision > {before['revision']}")
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(resolve))")
    return before, page.evaluate(VIEWS)


def tab_to(page, selector, presses=200):
    """Press Tab until the element has the focus, and check that the focus is visible there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            break
    else:
        pytest.fail(f"Tab never reached {selector}")
    focus = focus_indicator(page)
    assert focus is not None, f"{selector} is not drawn"
    assert focus[1], f"focus not visible on {selector}"


def set_value(page, selector, value):
    """Set a control's value as a script would, with the event a person's change fires."""
    page.evaluate(
        """([s, v]) => {
          const input = document.querySelector(s);
          input.value = v;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        [selector, value],
    )


MODEL_VIEWS = ("heatmap", "trajectory", "jacobian", "equation")


def test_the_keyboard_operates_every_control(fresh):
    page = fresh
    tab_to(page, "#pg-rho")
    before, after = changes(page, lambda: [page.keyboard.press("ArrowRight") for _ in range(10)])
    assert page.text_content("#pg-rho-value") == "1.00"
    assert all(before[k] != after[k] for k in MODEL_VIEWS)

    # Radio groups: Tab enters at the checked button, the arrow keys choose.
    for group, choice in [("pg-matrix", "nonnormal"), ("pg-activation", "relu")]:
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.name") == group
        assert focus_indicator(page)[1], f"focus not visible in {group}"
        before, after = changes(page, lambda: page.keyboard.press("ArrowDown"))
        assert page.evaluate("() => document.activeElement.value") == choice
        assert all(before[k] != after[k] for k in MODEL_VIEWS)

    page.keyboard.press("Tab")  # units
    assert focus_indicator(page)[1]
    changes(page, lambda: page.keyboard.press("Home"))
    assert page.evaluate(SETTINGS)["units"] == 1
    changes(page, lambda: page.keyboard.press("End"))
    assert page.evaluate(SETTINGS)["units"] == 32

    page.keyboard.press("Tab")  # steps
    assert focus_indicator(page)[1]
    before, after = changes(page, lambda: page.keyboard.press("PageDown"))
    assert page.evaluate(SETTINGS)["steps"] < 200
    # fewer steps: the views change, but not step 5 of "math to code" (the past stays)
    assert all(before[k] != after[k] for k in ("heatmap", "trajectory", "jacobian"))
    assert before["equation"] == after["equation"]

    page.keyboard.press("Tab")  # seed
    assert page.evaluate("() => document.activeElement.id") == "pg-seed"
    assert focus_indicator(page)[1]
    before, after = changes(page, lambda: page.keyboard.press("ArrowUp"))
    assert page.evaluate(SETTINGS)["seed"] == 2
    assert before["heatmap"] != after["heatmap"]
    page.keyboard.press("Control+A")
    page.keyboard.type("17")
    page.wait_for_function("() => rnnPlayground.view.settings.seed === 17")

    page.keyboard.press("Tab")  # the input pattern's radio group
    assert page.evaluate("() => document.activeElement.name") == "pg-pattern"
    assert focus_indicator(page)[1]
    before, after = changes(page, lambda: page.keyboard.press("ArrowRight"))
    assert page.evaluate(SETTINGS)["pattern"] == "random"
    assert all(before[k] != after[k] for k in MODEL_VIEWS)

    for slider, key, name in [
        ("pg-input-scale", "ArrowLeft", "inputScale"),
        ("pg-bias-scale", "ArrowRight", "biasScale"),
    ]:
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == slider
        assert focus_indicator(page)[1]
        start = page.evaluate(SETTINGS)[name]
        before, after = changes(page, lambda key=key: page.keyboard.press(key))
        assert page.evaluate(SETTINGS)[name] != start
        # (with relu and no bias, scaling the inputs scales every state: only the numbers of
        # "math to code" change, the views are drawn to scale)
        assert any(before[k] != after[k] for k in MODEL_VIEWS)

    # The chosen unit and step: the trajectory and the numbers of "math to code" follow.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "pg-unit"
    assert focus_indicator(page)[1]
    before, after = changes(page, lambda: page.keyboard.press("ArrowRight"))
    assert page.evaluate("() => rnnPlayground.view.unit") == 2
    assert before["trajectory"] != after["trajectory"]
    assert before["frame"] != after["frame"]
    assert before["heatmap"] == after["heatmap"], "the states did not change"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "pg-step"
    assert focus_indicator(page)[1]
    before, after = changes(page, lambda: page.keyboard.press("ArrowRight"))
    assert page.evaluate("() => rnnPlayground.view.step") == 6
    assert before["equation"] != after["equation"]


def svg_point(page, svg_id, t, unit=None):
    """The screen position of step t (and unit) in one of the views."""
    return page.evaluate(
        """([id, t, unit]) => {
          const svg = document.getElementById(id);
          const { steps, units } = rnnPlayground.view.settings;
          const x = 64 + ((t + 0.5) / (steps + 1)) * (640 - 64);
          const y = unit === null ? 100 : 8 + ((unit - 0.5) / units) * (196 - 8);
          const point = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
          return [point.x, point.y];
        }""",
        [svg_id, t, unit],
    )


def test_the_pointer_operates_the_controls(fresh):
    page = fresh
    before, after = changes(page, lambda: page.get_by_text("non-normal, same ρ").click())
    assert page.evaluate(SETTINGS)["matrix"] == "nonnormal"
    assert all(before[k] != after[k] for k in MODEL_VIEWS)
    changes(page, lambda: page.get_by_text("sigmoid", exact=True).click())
    assert page.evaluate(SETTINGS)["activation"] == "sigmoid"

    # Drag the ρ slider's thumb to the far right.
    box = page.locator("#pg-rho").bounding_box()
    thumb = box["x"] + box["width"] * (0.9 - 0.5), box["y"] + box["height"] / 2

    def drag():
        page.mouse.move(*thumb)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] + 20, thumb[1], steps=8)
        page.mouse.up()

    before, after = changes(page, drag)
    assert page.evaluate(SETTINGS)["rho"] == 1.5
    assert before["jacobian"] != after["jacobian"]

    # Click in the heatmap: the unit and the step under the pointer are chosen.
    page.locator("#pg-heatmap").scroll_into_view_if_needed()
    changes(page, lambda: page.mouse.click(*svg_point(page, "pg-heatmap", 150, 10)))
    assert page.evaluate("() => [rnnPlayground.view.step, rnnPlayground.view.unit]") == [150, 10]
    assert page.input_value("#pg-step") == "150"
    assert page.input_value("#pg-unit") == "10"

    # Drag along the Jacobian view: the step follows the pointer.
    page.locator("#pg-jacobian").scroll_into_view_if_needed()
    start = svg_point(page, "pg-jacobian", 40)
    end = svg_point(page, "pg-jacobian", 120)

    def drag_along():
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(*end, steps=10)
        page.mouse.up()

    changes(page, drag_along)
    page.wait_for_function("() => rnnPlayground.view.step === 120")
    assert page.text_content("#pg-step-value") == "120"


# The colours the views are drawn with, as the browser computed them, and the page's background.
COLOURS = """
() => {
  const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
  const root = getComputedStyle(document.getElementById("rnn-playground"));
  const probe = document.createElement("span");
  document.getElementById("rnn-playground").appendChild(probe);
  const variable = (name) => {
    probe.style.color = root.getPropertyValue(name);
    return getComputedStyle(probe).color;
  };
  const colours = {
    "axis text": css("#pg-jacobian .pg-axis text", "fill"),
    "norm line": css("#pg-jacobian .pg-line", "stroke"),
    "reference line": css("#pg-jacobian .pg-reference", "stroke"),
    "chosen step": css("#pg-jacobian .pg-marker", "stroke"),
    "bound line": variable("--pg-bound"),
    "negative states": variable("--pg-negative"),
    "positive states": variable("--pg-positive"),
  };
  probe.remove();
  return { colours, background: getComputedStyle(document.body).backgroundColor };
}
"""


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two CSS rgb() colours."""

    def luminance(colour):
        channels = np.array([float(c) for c in re.findall(r"[\d.]+", colour)[:3]]) / 255
        linear = np.where(
            channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4
        )
        return linear @ [0.2126, 0.7152, 0.0722]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("mode", MODES)
def test_the_views_are_legible_and_screenshots_in_both_modes(browser, site_url, mode):
    """The playground with a few settings changed, in each mode, for people to look at (CI
    uploads the screenshots directory); in the same visit, the views' colours against the
    background, by WCAG 2: text 4.5:1; lines and the ends of the colour scale, as graphical
    objects, 3:1 (the middle of the scale is the background, by design)."""
    context, page = open_playground(browser, site_url)
    try:
        page.get_by_text("non-normal, same ρ").click()
        page.get_by_text("random", exact=True).click()
        set_value(page, "#pg-rho", "1.05")
        set_value(page, "#pg-step", "120")
        page.wait_for_function(
            "() => rnnPlayground.view.settings.rho === 1.05 && rnnPlayground.view.step === 120"
        )
        if mode == "dark":
            revision = page.evaluate(VIEWS)["revision"]
            switch_to_dark(page)  # the heatmap's colours are redrawn for the dark theme
            page.wait_for_function(f"() => rnnPlayground.view.revision > {revision}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for part, selector in [("views", "#rnn-playground"), ("math", "#pg-math")]:
            page.locator(selector).screenshot(
                path=SCREENSHOTS / f"playground-{part}-{mode}.png", animations="disabled"
            )
        found = page.evaluate(COLOURS)  # CSS only: the settings above do not change them
        assert not page.off_host, page.off_host
        assert not page.errors, page.errors
    finally:
        context.close()
    low = {
        name: round(contrast(colour, found["background"]), 2)
        for name, colour in found["colours"].items()
        if contrast(colour, found["background"]) < (4.5 if name == "axis text" else 3)
    }
    assert not low, f"{mode}: too little contrast against {found['background']}: {low}"


# -- "What to try": every statement, computed with the package on the page's weights ------------
def norms_for(page, **settings):
    m = model(page, **settings)
    activation = {**DEFAULTS, **settings}["activation"]
    return reference_norms(np.array(m["inputs"]), params_of(m), activation), m


SEEDS = (1, 2, 3, 4, 5)
T = DEFAULTS["steps"]


def test_linear_orthogonal_lies_on_the_reference_line(playground):
    for rho in (0.9, 1.1):
        norms, _ = norms_for(playground, rho=rho, activation="linear")
        assert np.allclose(norms, rho ** (T - np.arange(T)), rtol=1e-9, atol=0)


def test_tanh_and_relu_below_the_line_sigmoid_below_a_quarter(playground):
    for activation, gain in [("tanh", 1), ("relu", 1), ("sigmoid", 4)]:
        for rho in (0.9, 1.5):
            norms, _ = norms_for(playground, rho=rho, activation=activation)
            assert np.all(norms <= (rho / gain) ** (T - np.arange(T)) * (1 + 1e-9)), activation
    first, _ = norms_for(playground, rho=1.5, activation="sigmoid")
    assert first[0] < 1e-80


def test_where_tanh_stops_vanishing(playground):
    for seed in SEEDS:
        j0 = {rho: norms_for(playground, rho=rho, seed=seed)[0][0] for rho in
              (0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3, 1.4, 1.5)}  # fmt: skip
        assert 1.5e-5 <= j0[0.95] <= 2.5e-5, (seed, j0[0.95])  # "about 2·10⁻⁵"
        for rho in (0.9, 0.95):  # "follows ρ^T": below it, within a factor 4
            assert rho**T / 4 <= j0[rho] <= rho**T, (seed, rho)
        assert 0.1 <= j0[1.0] < 1, (seed, j0[1.0])  # "a few tenths"
        assert all(j0[rho] > 1 for rho in (1.05, 1.1, 1.2, 1.3, 1.4, 1.5)), seed
        assert 1e4 <= j0[1.5] <= 1e8, (seed, j0[1.5])  # "between 10⁴ and 10⁸"
    assert 1e35 <= 1.5**T < 1e36  # "ρ²⁰⁰ ≈ 10³⁵"
    # "the impulse dies out for ρ < 1"; past 1.05 "the states no longer die out" but stay "of
    # order one": over the last 50 steps, the largest |state|
    for rho, low, high in [(0.95, 0, 1e-3), (1.05, 0.2, 1), (1.5, 0.5, 1)]:
        m = model(playground, rho=rho)
        states = simple_rnn(np.array(m["inputs"]), params_of(m), return_sequences=True)[0]
        assert low <= np.abs(states[-50:]).max() <= high, rho


def test_inputs_push_it_back(playground):
    j0 = {
        scale: norms_for(playground, rho=1.3, pattern="random", inputScale=scale)[0][0]
        for scale in (0.5, 1, 2)
    }
    assert j0[1] < 1e-6
    assert j0[0.5] > j0[1] > 1e6 * j0[2], j0


def test_relu_slides_with_rho(playground):
    times = np.arange(T)
    low, m_low = norms_for(playground, rho=0.8, activation="relu")
    high, m_high = norms_for(playground, rho=1.3, activation="relu")
    assert np.allclose(high, low * (1.3 / 0.8) ** (T - times), rtol=1e-9, atol=0)
    # the states scale too: a⟨t⟩ = ρ^(t−1) · (the same for every ρ) after the impulse
    states = {}
    for rho, m in ((0.8, m_low), (1.3, m_high)):
        states[rho] = simple_rnn(np.array(m["inputs"]), params_of(m), activation="relu",
                                 return_sequences=True)[0]  # fmt: skip
    ratio = (1.3 / 0.8) ** times[:, None]
    assert np.allclose(states[1.3], states[0.8] * ratio, rtol=1e-9, atol=0)
    # where it stops vanishing depends on the seed: ‖J(0)‖ = ρ^T ‖J(0)‖ at ρ = 1
    crossing = {}
    for seed in (2, 3):
        at_one, _ = norms_for(playground, rho=1.0, activation="relu", seed=seed)
        crossing[seed] = at_one[0] ** (-1 / T)
    assert crossing[3] < 1.15, crossing
    assert crossing[2] > 1.5, crossing
    still, _ = norms_for(playground, rho=1.5, activation="relu", seed=2)
    assert still[0] < 1
    # "Add a bias and the scaling argument no longer holds"
    low, _ = norms_for(playground, rho=0.8, activation="relu", biasScale=0.5)
    high, _ = norms_for(playground, rho=1.3, activation="relu", biasScale=0.5)
    assert not np.allclose(high, low * (1.3 / 0.8) ** (T - times), rtol=1e-3)


def test_same_rho_bigger_gradient(playground):
    times = np.arange(T)
    for rho in (0.7, 1.2):
        norms, m = norms_for(playground, rho=rho, activation="linear", matrix="nonnormal")
        kappa = m["shear"]["condition"]
        assert np.all(norms >= rho ** (T - times) * (1 - 1e-9))
        assert np.all(norms <= kappa * rho ** (T - times) * (1 + 1e-9))
    assert round(kappa, 1) == 10.9  # "κ(S) ≈ 10.9"
    last, m = norms_for(playground, rho=0.5, matrix="nonnormal")
    assert last[-1] > 1, "one step back, the gradient has grown though ρ = 0.5"
    w = np.array(m["recurrentKernel"])
    ratio = np.linalg.norm(w, 2) / 0.5
    assert 3 <= ratio <= m["shear"]["condition"], f"‖W_aa‖₂ is {ratio:.1f} ρ"
