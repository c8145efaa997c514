"""Running the engine from Python (stackrace.engine): run, compare and sweep return the
opened file; bad input raises an error with the engine's own message; a missing engine
says where it looked and how to get one."""
import pytest

import stackrace
from stackrace import engine
from conftest import WORLDS_DIR, write_sweep


def test_run_returns_the_opened_run(tmp_path):
    ds = engine.run("policies/no_controls.toml", tmp_path / "r.h5", agents=3000, steps=3, seed=7,
                    set={"choice.developer.revise": 0.2, "feedback.lag_pricing": True})
    assert ds.sizes["time"] == 4 and int(ds.seed.values[0]) == 7
    assert 'revise = 0.2' in ds.attrs["scenario"] and "lag_pricing = true" in ds.attrs["scenario"]


def test_compare_and_sweep_return_their_files(tmp_path):
    cmp = engine.compare("policies/no_controls.toml", "policies/full_embargo.toml", tmp_path / "c.h5",
                         replicates=2, agents=3000, steps=3)
    assert stackrace.comparison.arms(cmp) == ("no_controls", "full_embargo")
    sweep = write_sweep(tmp_path, 'design = "grid"\nagents = 3000\nsteps = 2\n[[parameters]]\n'
                                  'key = "stacks.cn_open.price"\nvalues = [0.2, 0.4]\n', "pysweep")
    ds = engine.sweep(sweep, tmp_path / "s.h5")
    assert ds.sizes["run"] == 2


def test_bad_input_raises_the_engines_message(tmp_path):
    with pytest.raises(engine.EngineError, match=r"refused its input:\n.*stacks\.cn_open\.price") as caught:
        engine.run(WORLDS_DIR / "default.toml", tmp_path / "x.h5", set={"stacks.cn_open.price": -1})
    assert caught.value.returncode == 2
    assert not (tmp_path / "x.h5").exists()


def test_a_missing_engine_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("STACKRACE_BIN", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(engine, "__file__", str(tmp_path / "a" / "b" / "engine.py"))
    with pytest.raises(FileNotFoundError, match="set STACKRACE_BIN"):
        engine.binary()
