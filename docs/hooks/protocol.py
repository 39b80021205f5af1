"""MkDocs hook: the WebSocket protocol page, rendered from the frame catalogue (core.contracts.protocol).

The page is never written by hand: a frame type added to the catalogue is on it at the
next build. The catalogue imports no framework (an import contract), so the docs build
needs no Django settings, database or Redis.
"""

import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

PAGE = "reference/websocket-protocol.md"


def on_files(files: Files, config) -> Files:
    project = str(Path(config.config_file_path).resolve().parent)
    if project not in sys.path:  # mkdocs runs from anywhere; the catalogue lives in the project
        sys.path.insert(0, project)
    from core.contracts.protocol import markdown

    if stale := files.get_file_from_path(PAGE):
        files.remove(stale)  # a copy written by hand would drift from the code
    files.append(File.generated(config, PAGE, content=markdown()))
    return files
