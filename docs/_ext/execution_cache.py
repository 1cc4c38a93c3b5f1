"""Keep MyST-NB's execution cache honest: run a page again whenever its outputs could change.

MyST-NB (``nb_execution_mode = "cache"``, with jupyter-cache) keys a page's cached outputs on the
code of its cells only. Two other things change what a page prints, and this extension accounts
for both:

* **The code the cells import**, the package and the pinned requirements (``book_hashed_paths``,
  relative to the configuration directory). When the hash of their bytes changes, the whole cache is
  wiped and every page runs again.
* **The numerical environment of the kernel**: environment variables such as
  ``TF_ENABLE_ONEDNN_OPTS`` (``book_environment_variables``) and the CPU features that decide
  TensorFlow's default for it (``book_cpu_features``). With oneDNN on, float32 matrix products take
  another path and their last bits change. Each distinct environment gets a cache directory of its
  own (``.jupyter_cache/env-<hash>/`` next to the HTML), so a build with oneDNN on is never served
  outputs computed with it off (or on another CPU), and switching back and forth costs nothing.

Both go into the config value ``book_execution_inputs`` (rebuild "env"), so Sphinx re-reads every
page when either changes, instead of keeping doctrees (with the old outputs) from its saved
environment. ``book_kernel_environment`` holds variables the kernels inherit (set only where the
caller has not set them).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from pathlib import Path

from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

# TensorFlow turns oneDNN on by default when the CPU has one of these (tensorflow/core/util/
# util.cc).
ONEDNN_CPU_FEATURES = ["avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"]


def hash_paths(root: Path, paths) -> str:
    """SHA-256 over the names and bytes of every file under ``paths`` (caches left out)."""
    digest = hashlib.sha256()
    for path in ((root / p).resolve() for p in paths):
        if not path.exists():
            raise ConfigError(f"book_hashed_paths: {path} does not exist")
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            parts = file.relative_to(path.parent).parts
            if not file.is_file() or file.suffix == ".pyc":
                continue
            if any(p == "__pycache__" or p.endswith(".egg-info") for p in parts):
                continue
            digest.update("/".join(parts).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def cpu_features(names) -> list[str]:
    """Which of ``names`` the CPU has (from /proc/cpuinfo; elsewhere, the processor's name)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return [f"processor={platform.machine()} {platform.processor()}"]
    flags = set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            flags.update(line.partition(":")[2].split())
    return [name for name in names if name in flags]


def execution_environment(config) -> dict:
    """What, besides the code, decides the numbers a page computes."""
    return {
        "variables": {
            name: os.environ.get(name, "(unset)") for name in config.book_environment_variables
        },
        "cpu_features": cpu_features(config.book_cpu_features),
        "machine": platform.machine(),
    }


def configure_cache(app, config) -> None:
    """Point MyST-NB at the cache of this environment; wipe all caches when the inputs changed."""
    for name, value in config.book_kernel_environment.items():
        os.environ.setdefault(name, value)

    root = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    inputs = hash_paths(Path(app.confdir), config.book_hashed_paths)
    stamp = root / "inputs-sha256"
    if not stamp.exists() or stamp.read_text().strip() != inputs:
        if root.exists():
            logger.info("execution inputs changed: wiping the notebook caches in %s", root)
            shutil.rmtree(root)
        root.mkdir(parents=True)
        stamp.write_text(inputs + "\n")

    environment = execution_environment(config)
    described = json.dumps(environment, sort_keys=True)
    key = hashlib.sha256(described.encode()).hexdigest()[:12]
    cache = root / f"env-{key}"
    cache.mkdir(exist_ok=True)
    (cache.parent / f"env-{key}.json").write_text(json.dumps(environment, indent=2) + "\n")
    logger.info("notebook cache for this environment (%s): %s", described, cache)
    config.nb_execution_cache_path = str(cache)
    config.book_execution_inputs = f"{inputs} {key}"


def setup(app):
    app.add_config_value(
        "book_hashed_paths", ["src", "requirements.txt"], "env", types=frozenset({list})
    )
    app.add_config_value(
        "book_environment_variables", ["TF_ENABLE_ONEDNN_OPTS"], "env", types=frozenset({list})
    )
    app.add_config_value("book_cpu_features", ONEDNN_CPU_FEATURES, "env", types=frozenset({list}))
    app.add_config_value("book_kernel_environment", {}, "env", types=frozenset({dict}))
    app.add_config_value("book_execution_inputs", "", "env", types=frozenset({str}))
    # MyST-NB reads nb_execution_cache_path later, at builder-inited.
    app.connect("config-inited", configure_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
