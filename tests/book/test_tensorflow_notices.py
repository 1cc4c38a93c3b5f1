"""docs/_ext/tensorflow_notices.py: TensorFlow's known start-up lines stay off the pages; anything
else on stderr fails the build.

The pages write the lines to file descriptor 2 with os.write, at the C level, as TensorFlow does
before absl logging is initialised (ipykernel captures the descriptor into the cell's stderr).
The lines are the ones TensorFlow 2.21 printed on machines with oneDNN on and off.
"""

import pytest

pytestmark = pytest.mark.build

ABSL = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
ONEDNN_ON = (
    "I0000 00:00:1795976273.281517    5527 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`."
)
DT_BOOL = (
    "E0000 00:00:1795978912.503899   18248 util.cc:131] oneDNN supports DT_BOOL only on platforms "
    "with AVX-512. Falling back to the default Eigen-based implementation if present."
)
FEATURE_GUARD = (
    "I0000 00:00:1795976488.710190    7808 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations."
)
FEATURES = (
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 "
    "AVX_VNNI AMX_TILE AMX_INT8 AMX_BF16, in other operations, rebuild TensorFlow with the "
    "appropriate compiler flags."
)
KNOWN = {
    "onednn-on": [ABSL, ONEDNN_ON, DT_BOOL],
    "onednn-off": [ABSL, FEATURE_GUARD, FEATURES],
}


def page_writing(lines: list[str], site) -> str:
    """A page whose cell writes ``lines`` to file descriptor 2, then prints; its input hidden."""
    text = "".join(line + "\n" for line in lines)
    code = f'import os, time\nos.write(2, {text.encode()!r})\ntime.sleep(0.2)\nprint("done")'
    return "# Page\n\n" + site.code_cell(code, tags=("remove-input",))


@pytest.mark.parametrize("machine", list(KNOWN))
def test_the_known_lines_on_file_descriptor_2_do_not_fail_the_build(site, machine):
    site.write({"page": page_writing(KNOWN[machine], site)})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert "done" in page
    assert "output stderr" not in page  # MyST-NB's class for a stderr block
    assert "TensorFlow" not in page
    assert "absl" not in page
    download = site.download("page")
    assert site.outputs(download, "stream", "stderr") == []
    assert site.outputs(download, "stream", "stdout")[0]["text"] == "done\n"


@pytest.mark.parametrize(
    "lines",
    [
        ["something else went wrong"],
        [ABSL, ONEDNN_ON, "something else went wrong"],
        [ABSL, FEATURES],  # the feature list only counts right after the line that introduces it
        [ONEDNN_ON.replace("are on", "are off")],
        [ONEDNN_ON + " and more"],
    ],
    ids=["other", "known-and-other", "features-alone", "reworded", "extended"],
)
def test_anything_else_on_file_descriptor_2_fails_the_build(site, lines):
    site.write({"page": page_writing(lines, site)})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "stderr was found in the cell outputs" in site.log(process)
    assert lines[-1][:40] in site.log(process)  # the warning quotes what was left


def test_python_stderr_fails_the_build(site):
    code = 'import sys\nprint("a warning nobody reads", file=sys.stderr)'
    site.write({"page": "# Page\n\n" + site.code_cell(code)})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "stderr was found" in site.log(process)


def test_a_cell_tagged_remove_stderr_may_write_to_stderr(site):
    code = 'import sys\nprint("hidden on purpose", file=sys.stderr)'
    site.write({"page": "# Page\n\n" + site.code_cell(code, tags=("remove-stderr",))})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    assert "output stderr" not in site.html("page")
