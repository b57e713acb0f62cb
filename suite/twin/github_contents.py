"""What the twin's repository holds, as GitHub shows it: a workflow file through the contents API
(GET /repos/{o}/{r}/contents/{path}), and the title GitHub gives a dispatched run (its `run-name`).

A file's object is GitHub's content-file: `type` file, `encoding` base64 (the text base64-encoded in
lines of 60 characters, as GitHub sends it), `size`, `name`, `path`, `sha` (the git blob id) and its
URLs; a folder (.github/workflows) is the list of its entries, without content.
"""

from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from typing import Any

from suite.twin.github_objects import HEAD_BRANCH, HEAD_SHA
from suite.workflows import Workflow

WORKFLOWS_FOLDER = ".github/workflows"
# `${{ inputs.x }}` or `${{ github.event.inputs.x }}` in a run-name: replaced by the input's value
_INPUT_EXPR = re.compile(r"\$\{\{\s*(?:inputs|github\.event\.inputs)\.([A-Za-z0-9_-]+)\s*\}\}")
_ANY_EXPR = re.compile(r"\$\{\{.*?\}\}")
REFS = (HEAD_BRANCH, f"refs/heads/{HEAD_BRANCH}", HEAD_SHA)  # what `?ref=` may name


def blob_sha(data: bytes) -> str:
    """Git's object id of a blob with this content (what GitHub returns as a file's `sha`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _urls(api: str, repo: str, path: str, sha: str, kind: str) -> dict[str, Any]:
    self_url = f"{api}/repos/{repo}/contents/{path}?ref={HEAD_BRANCH}"
    git_url = f"{api}/repos/{repo}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    html_url = f"https://github.com/{repo}/{'blob' if kind == 'file' else 'tree'}/{HEAD_BRANCH}/{path}"
    return {
        "url": self_url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": (
            f"https://raw.githubusercontent.com/{repo}/{HEAD_BRANCH}/{path}" if kind == "file" else None
        ),
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    }


def file_object(api: str, repo: str, name: str, text: str, with_content: bool = True) -> dict[str, Any]:
    """A workflow file as GET .../contents/.github/workflows/{name} returns it."""
    data = text.encode("utf-8")
    path = f"{WORKFLOWS_FOLDER}/{name}"
    sha = blob_sha(data)
    obj: dict[str, Any] = {"type": "file", "size": len(data), "name": name, "path": path, "sha": sha}
    if with_content:
        encoded = base64.b64encode(data).decode("ascii")
        obj["content"] = "\n".join(textwrap.wrap(encoded, 60)) + "\n"
        obj["encoding"] = "base64"
    obj.update(_urls(api, repo, path, sha, "file"))
    return obj


def folder_listing(api: str, repo: str, texts: dict[str, str]) -> list[dict[str, Any]]:
    """GET .../contents/.github/workflows: the folder's entries (no content)."""
    return [file_object(api, repo, name, texts[name], with_content=False) for name in sorted(texts)]


def run_title(workflow: Workflow, inputs: dict[str, str]) -> str:
    """The `display_title` GitHub gives a dispatched run: its `run-name` with the inputs filled in
    (an input not sent: its default, else empty; any other expression: empty), else the workflow's
    name."""
    if workflow.run_name is None:
        return workflow.name
    defaults = {spec.name: spec.default for spec in workflow.inputs}

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name in inputs:
            return inputs[name]
        default = defaults.get(name)
        if isinstance(default, bool):
            return "true" if default else "false"
        return "" if default is None else str(default)

    return _ANY_EXPR.sub("", _INPUT_EXPR.sub(value, workflow.run_name)).strip() or workflow.name
