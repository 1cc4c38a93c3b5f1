"""The build is strict: a failing cell fails it, a cell meant to raise does not."""

import pytest

pytestmark = pytest.mark.build


def test_a_failing_cell_fails_the_build(site):
    site.write({"page": "# Page\n\n" + site.code_cell("print(1 / 0)")})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "ZeroDivisionError" in site.log(process)


def test_a_cell_tagged_raises_exception_is_shown(site):
    cell = site.code_cell('raise ValueError("raised on purpose")', tags=("raises-exception",))
    site.write({"page": "# Page\n\n" + cell})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    assert "raised on purpose" in site.html("page")


def test_a_sphinx_warning_fails_the_build(site):
    site.write({"page": "# Page\n\nA reference to {doc}`a-page-that-does-not-exist`.\n"})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "a-page-that-does-not-exist" in site.log(process)
