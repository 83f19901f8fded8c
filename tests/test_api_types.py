"""The Python API checks its arguments as the command line does (issue 22, item 2).

A wrong type or value gives :class:`sim.errors.UserError` naming the argument and what is
allowed, before anything runs; never a raw exception and never a silent default.
"""

import pytest

from sim import api
from sim.errors import UserError


@pytest.mark.parametrize(("kwargs", "field", "expected"), [
    ({"scenario": 5}, "scenario", "scenario name or a path"),
    ({"members": "5"}, "members", "whole number"),
    ({"members": 2.5}, "members", "whole number"),
    ({"members": True}, "members", "whole number"),
    ({"members": 0}, "members", "at least 1"),
    ({"seed": -1}, "seed", "at least 0"),
    ({"weeks": "ten"}, "weeks", "whole number"),
    ({"workers": 0}, "workers", "at least 1"),
    ({"set": [("patron_support_gain", 1.0)]}, "set", "dict"),
    ({"set": {"patron_support_gain": "1"}}, "set.patron_support_gain", "number"),
    ({"set": {"patron_support_gain": True}}, "set.patron_support_gain", "number"),
    ({"set": {"patron_support_gain": float("nan")}}, "set.patron_support_gain", ""),
    ({"set": {"patron_support_gain": 99.0}}, "set.patron_support_gain", "must be a number"),
    ({"set": {1: 1.0}}, "set", "parameter name"),
    ({"charts": "yes"}, "charts", "True or False"),
    ({"uncertain": 1}, "uncertain", "True or False"),
])
def test_run_refuses_wrong_types_with_a_user_error(kwargs, field, expected, results_dir):
    arguments = {"scenario": "status_quo", **kwargs}
    with pytest.raises(UserError) as info:
        api.run(arguments.pop("scenario"), **arguments)
    assert info.value.origin == "sim.api.run" and info.value.field == field
    assert expected in info.value.message
    assert not results_dir.exists()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"samples": 0}, "samples"), ({"replicates": 0}, "replicates"), ({"weeks": 0}, "weeks"),
    ({"samples": 2.0}, "samples"), ({"method": "grid"}, "method"),
    ({"method": 1}, "method"), ({"cases": "p_regime_change>0.1"}, "cases"),
    ({"charts": None}, "charts"),
])
def test_explore_refuses_wrong_values_instead_of_a_silent_default(kwargs, field,
                                                                   results_dir):
    with pytest.raises(UserError) as info:
        api.explore("incapacity", **kwargs)
    assert info.value.field == field
    assert not results_dir.exists()


def test_the_command_line_explore_refuses_samples_0(capsys, results_dir):
    from sim.analyses.explore_run import main

    with pytest.raises(SystemExit) as info:
        main(["incapacity", "--samples", "0"])
    assert info.value.code == 2 and "at least 1" in capsys.readouterr().err
    assert not results_dir.exists()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"a": 1}, "a"), ({"b": None}, "b"), ({"unpaired": "no"}, "unpaired"),
    ({"workers": -2}, "workers"), ({"charts": 0}, "charts"),
])
def test_compare_refuses_wrong_types(kwargs, field, results_dir):
    arguments = {"a": "status_quo", "b": "incapacity", **kwargs}
    with pytest.raises(UserError) as info:
        api.compare(arguments.pop("a"), arguments.pop("b"), **arguments)
    assert info.value.origin == "sim.api.compare" and info.value.field == field


def test_numpy_numbers_are_accepted(results_dir):
    np = pytest.importorskip("numpy")
    result = api.run("status_quo", members=np.int64(5), weeks=np.int32(3),
                     set={"patron_support_gain": np.float32(0.5)})
    assert result.manifest["members"] == 5
    assert result.folder.name == "status_quo__members-5_patron_support_gain-0.5_weeks-3"
