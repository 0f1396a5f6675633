"""A model folder whose load never ends: for tests of what happens before or during a load."""

import os
from pathlib import Path

MODEL = Path(os.environ.get("MEMORY_MCP_MODEL_DIR", "/nonexistent"))
HAS_MODEL = (MODEL / "tokenizer.json").exists()


def blocking_model(folder: Path) -> Path:
    """The model's files, but its tokenizer files are FIFOs nobody writes: loading never ends."""
    folder.mkdir()
    for name in ("model.onnx", "special_tokens_map.json", "tokenizer_config.json"):
        (folder / name).symlink_to(MODEL / name)
    for name in ("config.json", "tokenizer.json"):
        os.mkfifo(folder / name)
    return folder
