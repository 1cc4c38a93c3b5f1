"""docs/_ext/api_equations.py: the docstrings' equation names as linked equation numbers."""

import re
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
from api_equations import number_equations

pytestmark = pytest.mark.build


def test_names_become_references_and_lose_their_own_parentheses():
    lines = [
        "The update gate z (``eq-gru-update``) and the state (``eq-gru-state``, after it),",
        "both (``eq-a``, ``eq-b``); ``eq-bptt-*`` stays; so does ``{eq}`eq-c```.",
    ]
    assert number_equations(lines) == [
        "The update gate z :math:numref:`eq-gru-update` and the state "
        "(:math:numref:`eq-gru-state`, after it),",
        "both :math:numref:`eq-a`, :math:numref:`eq-b`; ``eq-bptt-*`` stays; "
        "so does ``{eq}`eq-c```.",
    ]
    assert lines[0].startswith("The update gate z (``eq-gru-update``)")  # input unchanged


MODULE = '''\
def step(x):
    """One step (``eq-demo-step``).

    Implements ``eq-demo-step`` of the chapter.
    """
'''

CHAPTER = """\
# Chapter

```{math}
:label: eq-demo-step

a = g(x)
```
"""

API = """\
# API

```{eval-rst}
.. autofunction:: demo_module.step
```
"""


def test_the_api_page_links_the_equation_by_its_number(site, tmp_path):
    package = tmp_path / "lib"
    package.mkdir()
    (package / "demo_module.py").write_text(MODULE)
    site.write({"chapter": CHAPTER, "api": API}, notebook=False)
    process = site.build(pythonpath=package)
    assert process.returncode == 0, site.log(process)
    api = site.html("api")
    assert "eq-demo-step</span>" not in api
    assert "``eq-demo-step``" not in api
    link = '<a class="reference internal" href="chapter.html#equation-eq-demo-step">(1)</a>'
    assert api.count(link) == 2, api
    assert "One step (1)" in textwrap.dedent(re.sub(r"<[^>]+>", "", api))


def test_a_name_no_page_defines_fails_the_build(site, tmp_path):
    package = tmp_path / "lib"
    package.mkdir()
    (package / "demo_module.py").write_text(MODULE.replace("eq-demo-step", "eq-nowhere"))
    site.write({"chapter": CHAPTER, "api": API}, notebook=False)
    process = site.build(pythonpath=package)
    assert process.returncode != 0
    assert "eq-nowhere" in site.log(process)
