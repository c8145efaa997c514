"""Every `--set KEY=VALUE` example the documentation shows works as written on the
default world: `stackrace validate` accepts it and the resolved scenario holds the value.
The examples are read from the documents, so this fails when they drift from the code."""
import re
import tomllib

import pytest

from conftest import SOURCE_DIR, WORLDS_DIR

DOCUMENTS = ["README.md", "worlds/README.md", "MODEL.md"]
# `--set a.b.c=VALUE` with a real key and value (not the KEY=VALUE placeholders).
EXAMPLE = re.compile(r"`--set ([a-z_]+(?:\.[A-Za-z0-9_-]+)+)=([^`\s]+)`")


def examples():
    found = []
    for document in DOCUMENTS:
        for key, value in EXAMPLE.findall((SOURCE_DIR / document).read_text()):
            if value != "VALUE":
                found.append(pytest.param(key, value, id=f"{document}:{key}"))
    return found


def test_the_documents_show_examples():
    keys = [p.values[0] for p in examples()]
    assert "countries.USA.developers" in keys and "stacks.cn_open.price" in keys, keys


def element(items, name):
    """An element of an array of tables, named as --set names it: by index or by id."""
    return items[int(name)] if name.isdigit() else next(x for x in items if x.get("id") == name)


@pytest.mark.parametrize("key,value", examples())
def test_a_documented_set_example_works(stackrace, tmp_path, key, value):
    result = stackrace("validate", WORLDS_DIR / "default.toml", "--set", f"{key}={value}", cwd=tmp_path)
    assert result.returncode == 0, f"--set {key}={value}:\n{result.stderr}"
    node = tomllib.loads(result.stdout)
    for part in key.split("."):
        node = element(node, part) if isinstance(node, list) else node[part]
    assert node == tomllib.loads(f"value = {value}")["value"], f"--set {key}={value} resolved to {node!r}"
    assert list(tmp_path.iterdir()) == []
