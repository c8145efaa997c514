"""Each policy key's default has one definition, the policy struct's default member value
(policies/), which the loader takes; worlds/README.md documents it. Here the documented
defaults are checked against what `stackrace validate` fills in for a policy of each
type given only its required keys, and every key it fills in must be documented."""
import re
import tomllib

import pytest

from conftest import SOURCE_DIR

# A policy of each type with only its required keys (the C++ tests read it too).
REQUIRED_ONLY = SOURCE_DIR / "tests" / "policies" / "required_keys_only.toml"
COMMON_KEYS = {"type", "name", "start", "end", "targets"}
# A row of the README's "Keys by type" table: | `type` (or empty) | `key` | meaning | range | default |
ROW = re.compile(r"^\|\s*(?:`(\w+)`)?\s*\|\s*`(\w+)`\s*\|.*\|([^|]*)\|$")


def documented_defaults():
    """{(type, key): default as written}, from worlds/README.md."""
    text = (SOURCE_DIR / "worlds" / "README.md").read_text()
    table = text.split("Keys by type.")[1].split("Shipped policy scenarios")[0]
    rows, policy_type = {}, None
    for line in table.splitlines():
        if match := ROW.match(line):
            policy_type = match.group(1) or policy_type
            rows[(policy_type, match.group(2))] = match.group(3).strip()
    assert len(rows) > 20, "worlds/README.md: the policy keys table was not found"
    return rows


def parsed(default: str):
    """The value a documented default stands for; None for a required key."""
    default = re.sub(r"^required when \w+, else ", "", default.strip().strip("`"))
    if default.startswith("required"):
        return None
    if default.startswith('"'):
        return default.strip('"')
    return float(default)


@pytest.fixture(scope="module")
def resolved(stackrace):
    """{type: the resolved policy table} as `stackrace validate` prints it."""
    result = stackrace("validate", REQUIRED_ONLY)
    assert result.returncode == 0, result.stderr
    policies = tomllib.loads(result.stdout)["policies"]
    return {p["type"]: p for p in policies}


def test_every_documented_default_is_the_one_filled_in(resolved):
    checked = 0
    for (policy_type, key), default in documented_defaults().items():
        value = parsed(default)
        if value is None:
            continue
        assert key in resolved[policy_type], f"{policy_type}.{key}: documented, but not filled in"
        assert resolved[policy_type][key] == (pytest.approx(value) if isinstance(value, float) else value), \
            f"{policy_type}.{key}: worlds/README.md says {default}, the loader fills in {resolved[policy_type][key]!r}"
        checked += 1
    assert checked >= 20


def test_every_key_filled_in_is_documented(resolved):
    documented = documented_defaults()
    for policy_type, table in resolved.items():
        for key in set(table) - COMMON_KEYS:
            assert (policy_type, key) in documented, f"{policy_type}.{key} is not in worlds/README.md"
