"""docs/_ext/execution_cache.py: a page runs again when anything its outputs depend on changes."""

import pytest

pytestmark = pytest.mark.build


def _site_printing_a_package_value(site, tmp_path):
    """A package with VALUE = 1 and a page that prints it; returns the module file."""
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "tinypkg.py"
    module.write_text("VALUE = 1\n")
    code = 'import tinypkg\nprint(f"package value: {tinypkg.VALUE}")'
    site.write({"page": "# Page\n\n" + site.code_cell(code)})
    return module


def test_a_package_change_invalidates_the_execution_cache(site, tmp_path):
    module = _site_printing_a_package_value(site, tmp_path)
    hashed = f"book_hashed_paths={module.parent}"

    first = site.build(hashed, pythonpath=module.parent)
    assert first.returncode == 0, site.log(first)
    assert "package value: 1" in site.html("page")
    assert "Executing notebook" in site.log(first)

    second = site.build(hashed, pythonpath=module.parent)  # nothing changed
    assert second.returncode == 0, site.log(second)
    assert "Executing notebook" not in site.log(second)

    module.write_text("VALUE = 2\n")
    third = site.build(hashed, pythonpath=module.parent)
    assert third.returncode == 0, site.log(third)
    assert "Executing notebook" in site.log(third)
    assert "package value: 2" in site.html("page")


def test_without_hashing_the_package_the_cache_serves_stale_output(site, tmp_path):
    """The control for the test above: MyST-NB alone keys its cache on the cell code only."""
    module = _site_printing_a_package_value(site, tmp_path)
    elsewhere = tmp_path / "unrelated"
    elsewhere.mkdir()
    hashed = f"book_hashed_paths={elsewhere}"

    assert site.build(hashed, pythonpath=module.parent).returncode == 0
    module.write_text("VALUE = 2\n")
    (site.source / "page.md").touch()  # even a re-read page takes its outputs from the cache
    stale = site.build(hashed, pythonpath=module.parent)
    assert stale.returncode == 0, site.log(stale)
    assert "package value: 1" in site.html("page")


def test_each_onednn_setting_has_its_own_cache(site):
    """A build with oneDNN off is never served outputs computed with it on, and back."""
    code = 'import os\nprint("oneDNN setting:", os.environ.get("TF_ENABLE_ONEDNN_OPTS"))'
    site.write({"page": "# Page\n\n" + site.code_cell(code)})

    on = site.build(env={"TF_ENABLE_ONEDNN_OPTS": "1"})
    assert on.returncode == 0, site.log(on)
    assert "oneDNN setting: 1" in site.html("page")

    off = site.build(env={"TF_ENABLE_ONEDNN_OPTS": "0"})
    assert off.returncode == 0, site.log(off)
    assert "Executing notebook" in site.log(off)
    assert "oneDNN setting: 0" in site.html("page")
    assert site.outputs(site.download("page"), "stream")[0]["text"] == "oneDNN setting: 0\n"

    again = site.build(env={"TF_ENABLE_ONEDNN_OPTS": "1"})  # its own cache still holds it
    assert again.returncode == 0, site.log(again)
    assert "Executing notebook" not in site.log(again)
    assert "Using cached notebook" in site.log(again)
    assert "oneDNN setting: 1" in site.html("page")
