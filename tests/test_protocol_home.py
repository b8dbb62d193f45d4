"""One home for the protocol: server frames are built in tutor/protocol.py, channel-layer group names and the
event that carries a frame in tutor/groups.py. Read with ``ast``: a dict literal whose "type" is a server
frame's, or an f-string that starts like a group name, anywhere else in the apps is a second home."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOMES = {ROOT / "tutor" / "protocol.py", ROOT / "tutor" / "groups.py"}
SERVER_FRAMES = {"ack", "token", "restart", "answer", "error", "correction", "item", "no_open_item", "graded", "history",
                 "tutor.frame"}
GROUP_PREFIXES = ("answer.", "student.")


def shipped_modules() -> list[Path]:
    paths = [p for app in ("learning", "tutor", "annotation") for p in sorted((ROOT / app).rglob("*.py"))]
    return [p for p in paths if "tests" not in p.relative_to(ROOT).parts and p not in HOMES]


def protocol_built_in(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if _constant(key) == "type" and _constant(value) in SERVER_FRAMES:
                    found.append((node.lineno, f'a "{value.value}" frame'))
        elif isinstance(node, ast.JoinedStr) and node.values:
            start = _constant(node.values[0])
            if isinstance(start, str) and start.startswith(GROUP_PREFIXES):
                found.append((node.lineno, f'a group name "{start}..."'))
    return found


def _constant(node) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def test_the_checker_finds_frames_and_group_names():
    code = 'f = {"type": "answer", "text": t}\ng = f"student.{sid}"\nok = {"type": "websocket.send"}\n'
    assert [what for _, what in protocol_built_in(ast.parse(code))] == ['a "answer" frame', 'a group name "student...."']


def test_frames_and_group_names_are_built_only_in_their_home():
    found = [f"  {path.relative_to(ROOT)}:{line}: {what}"
             for path in shipped_modules() for line, what in protocol_built_in(ast.parse(path.read_text()))]
    assert not found, "Built outside tutor/protocol.py and tutor/groups.py:\n" + "\n".join(found)
