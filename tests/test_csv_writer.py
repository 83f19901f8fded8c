"""The fast CSV writer gives the bytes of ``DataFrame.to_csv``, for any table."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.outputs.csv_writer import write_frame

TEXT = st.text(alphabet=st.sampled_from(list("ab ,\"\n\r;é-0")), max_size=6)


def _pandas_bytes(frame, path, float_format):
    frame.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    return path.read_bytes()


def _fast_bytes(frame, path, float_format):
    write_frame(frame, path, float_format)
    return path.read_bytes()


@settings(max_examples=150, deadline=None)
@given(rows=st.integers(0, 6), data=st.data(),
       fmt=st.sampled_from(["%.6g", "%.3f", "%g"]), kinds=st.lists(
           st.sampled_from(["float", "int", "bool", "str", "object", "Int64", "float32"]),
           min_size=1, max_size=5))
def test_same_bytes_as_pandas(tmp_path_factory, rows, data, fmt, kinds):
    folder = tmp_path_factory.mktemp("csv")
    columns = {}
    for j, kind in enumerate(kinds):
        if kind in ("float", "float32"):
            width = 64 if kind == "float" else 32
            values = np.array(data.draw(st.lists(st.floats(width=width), min_size=rows,
                                                 max_size=rows)),
                              dtype=np.float64 if kind == "float" else np.float32)
        elif kind == "int":
            values = np.array(data.draw(st.lists(st.integers(-10**12, 10**12),
                                                 min_size=rows, max_size=rows)), dtype=np.int64)
        elif kind == "bool":
            values = np.array(data.draw(st.lists(st.booleans(), min_size=rows,
                                                 max_size=rows)), dtype=bool)
        elif kind == "Int64":
            values = pd.array(data.draw(st.lists(st.one_of(st.none(), st.integers(-99, 99)),
                                                 min_size=rows, max_size=rows)), dtype="Int64")
        elif kind == "object":
            values = np.array(data.draw(st.lists(st.one_of(TEXT, st.none(), st.integers()),
                                                 min_size=rows, max_size=rows)), dtype=object)
        else:
            values = data.draw(st.lists(TEXT, min_size=rows, max_size=rows))
        columns[f"c{j},{kind}" if j == 1 else f"c{j}"] = values
    frame = pd.DataFrame(columns)
    assert (_fast_bytes(frame, folder / "fast.csv", fmt)
            == _pandas_bytes(frame, folder / "pandas.csv", fmt))


def test_single_column_and_empty_tables(tmp_path):
    for frame in (pd.DataFrame({"a": ["", "x"]}), pd.DataFrame({"a": [np.nan, 1.5]}),
                  pd.DataFrame(columns=["a", "b"]), pd.DataFrame()):
        assert (_fast_bytes(frame, tmp_path / "fast.csv", "%.6g")
                == _pandas_bytes(frame, tmp_path / "pandas.csv", "%.6g"))


def test_without_float_format_pandas_writes(tmp_path):
    frame = pd.DataFrame({"a": [0.1 + 0.2, 1.0], "b": ["x", "y"]})
    assert (_fast_bytes(frame, tmp_path / "fast.csv", None)
            == _pandas_bytes(frame, tmp_path / "pandas.csv", None))
