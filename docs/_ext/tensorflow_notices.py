"""Keep TensorFlow's known start-up notices off the pages; any other stderr output fails the build.

Why: importing TensorFlow 2.21 writes a few lines straight to file descriptor 2, before absl logging
is initialised, so ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them. Which lines appear depends on the
CPU: oneDNN is on by default on CPUs with AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX (Intel Cascade
Lake and later, AMD Zen 4), and then TensorFlow says so; with oneDNN off it lists the CPU features
it was not compiled for. ipykernel captures file descriptor 2, so they land in the executed cell as
stderr, and a strict build failed on every page that imports TensorFlow on such machines.

How: conf.py sets ``nb_output_stderr = "show"``, so MyST-NB renders every stderr output as a
``literal_block`` with the classes ``output stderr``. After a page is read, this extension removes
the known lines below from those blocks, drops a block left empty, and turns any block with
anything else in it into a warning (an error under ``-W``), as ``nb_output_stderr = "warn"`` would.
``ipynb_download`` applies the same filter to the notebooks offered for download.

The patterns are narrow on purpose: whole lines, TensorFlow's exact wording, glog's
``I0000 00:00:1795976273.281517    5527 port.cc:153] ...`` prefix with any time stamp, thread id
and line number; the list of CPU features only right after the line that introduces it. A new
notice from a TensorFlow upgrade fails the build until it is added here, deliberately.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

# glog's prefix: severity and MMDD, hh:mm:ss.micro, thread id, source file and line. Before absl is
# initialised TensorFlow writes "0000 00:00:<seconds since 1970>.<micro>" as the date and time.
_GLOG = r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ "
_FEATURES = r"[A-Z0-9_]+(?: [A-Z0-9_]+)*"

KNOWN_NOTICES = [
    re.compile(pattern)
    for pattern in (
        # absl, once, before its first line of the three below
        r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
        # oneDNN on (the default on the CPUs listed above, or TF_ENABLE_ONEDNN_OPTS=1)
        _GLOG + r"port\.cc:\d+\] oneDNN custom operations are on\. You may see slightly different "
        r"numerical results due to floating-point round-off errors from different computation "
        r"orders\. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`\.",
        # oneDNN on, at the first op on a bool tensor (masks) on a CPU without AVX-512
        _GLOG + r"util\.cc:\d+\] oneDNN supports DT_BOOL only on platforms with AVX-512\. Falling "
        r"back to the default Eigen-based implementation if present\.",
        # oneDNN off: the CPU features this binary was not built for, on two lines
        _GLOG + r"cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized to use available "
        r"CPU instructions in performance-critical operations\.",
    )
]
# Only right after the cpu_feature_guard line above.
FEATURES_LINE = re.compile(
    rf"To enable the following instructions: {_FEATURES}, in other operations, rebuild "
    r"TensorFlow with the appropriate compiler flags\."
)


def strip_known_notices(text: str) -> str:
    """``text`` without TensorFlow's known notices: whole lines, removed with their newline."""
    kept = []
    previous_was_feature_guard = False
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        if previous_was_feature_guard and FEATURES_LINE.fullmatch(content):
            previous_was_feature_guard = False
            continue
        matched = next((p for p in KNOWN_NOTICES if p.fullmatch(content)), None)
        previous_was_feature_guard = matched is KNOWN_NOTICES[-1]
        if matched is None:
            kept.append(line)
    return "".join(kept)


def filter_stderr_outputs(app, doctree) -> None:
    """Drop the known notices from the page's stderr blocks; warn about anything else."""
    for block in list(doctree.findall(nodes.literal_block)):
        if not {"output", "stderr"} <= set(block["classes"]):
            continue
        text = strip_known_notices(block.astext())
        if not text.strip():
            block.parent.remove(block)
            continue
        if text != block.astext():
            block.clear()
            block += nodes.Text(text)
            block.rawsource = text
        logger.warning(
            "stderr was found in the cell outputs: %s",
            text.strip().splitlines()[0][:200],
            location=block,
            type="book",
            subtype="stderr",
        )


def setup(app):
    app.connect("doctree-read", filter_stderr_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
