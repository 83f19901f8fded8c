"""The model's fingerprint: what a simulation reads, hashed (light: no scipy, no numpy).

``make calibrate`` records it in ``posterior.json`` and keys its design cache by it;
every run from the posterior compares it with the running code's, so it lives apart
from the design module, whose imports (scipy's quasi-Monte Carlo) a run does not need.
"""

from __future__ import annotations

import hashlib

from sim import paths


def model_fingerprint() -> str:
    """sha256 over what a simulation reads, episodes included.

    The model, the engines, the region code and data, the parameters, and the built
    episode folders (not their sources or docs).
    """
    digest = hashlib.sha256()
    package = paths.PACKAGE_DIR
    for sub in ("model", "engines", "regions", "episodes"):
        for path in sorted((package / sub).rglob("*")):
            rel = path.relative_to(package)
            if (path.suffix in {".py", ".csv", ".yaml"} and "__pycache__" not in rel.parts
                    and "sources" not in rel.parts and path.is_file()):
                digest.update(str(rel).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
