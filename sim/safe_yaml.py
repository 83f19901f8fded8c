"""A strict YAML reader for user files (scenarios): one clear error, never a hang.

:func:`load_yaml` reads a file with a loader built on PyYAML's ``SafeLoader`` whose
resolvers implement the YAML 1.2 core schema (what a reader of the file expects)
rather than YAML 1.1 (what PyYAML does by default), and refuses whatever is ambiguous
or could exhaust the machine. Every refusal is a :class:`sim.errors.UserError` naming
the file, the dotted field where known (``events.0.week``) and the line.

Refused:

* files larger than :data:`MAX_BYTES` (checked before reading, and again while
  reading, so a growing file or a device cannot get past it), anything that is not a
  regular file, and text that is not UTF-8;
* anchors (``&a``) and aliases (``*a``), hence also the "billion laughs" expansion
  and self-referencing structures: a scenario file does not need them;
* explicit tags (``!!int``, ``!!python/object``, ``!foo``) and merge keys (``<<``);
* nesting deeper than :data:`MAX_DEPTH` mappings and lists;
* duplicate keys at any level (the error names the key and both lines);
* mapping keys that are lists or mappings;
* YAML 1.1 scalars that YAML 1.2 reads otherwise, when unquoted: the booleans
  ``yes/no/on/off/y/n`` (any case), integers with a leading zero (``010``, octal in
  YAML 1.1), ``0x``/``0o``/``0b`` integers, digits with ``_`` separators (``1_000``) and
  sexagesimal numbers (``1:30``). Quote them to mean text.
* more than one document in the file.

Accepted plain scalars: ``null``/``~``/empty, ``true``/``false`` (also ``True``,
``TRUE``, ...), decimal integers without leading zeros, decimal floats (``0.5``,
``5.``, ``.5``, ``1e-3``), and ``.inf``/``-.inf``/``.nan`` (as floats; later
validation refuses them where a finite number is needed). Anything else is a string;
a quoted scalar is always a string (``"10"`` stays the text ``10``). Dates stay text.

A stack overflow or memory exhaustion inside the parser (which the limits above should
already prevent) is reported as a :class:`~sim.errors.UserError` too.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import UserError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "load_yaml", "parse_yaml", "read_limited"]

#: Largest file read, in bytes (a scenario file is a few kB).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists (a scenario file needs 3).
MAX_DEPTH = 20

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"

# YAML 1.2 core schema, minus the hexadecimal and octal integer forms.
_CORE = (
    (_NULL, r"(?:~|null|Null|NULL|)\Z", ["~", "n", "N", ""]),
    (_BOOL, r"(?:true|True|TRUE|false|False|FALSE)\Z", list("tTfF")),
    (_INT, r"[-+]?(?:0|[1-9][0-9]*)\Z", list("-+0123456789")),
    (_FLOAT, r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?"
             r"|[0-9]+[eE][-+]?[0-9]+)\Z", list("-+.0123456789")),
    (_FLOAT, r"(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z", list("-+.")),
)

# Plain scalars YAML 1.1 reads as something else than YAML 1.2 does, with the advice.
_LOOSE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i:yes|no|on|off)\Z|[yYnN]\Z"),
     "is a boolean in YAML 1.1 but text in YAML 1.2; write true or false, or quote it "
     "for text"),
    (re.compile(r"[-+]?0[0-9_]+\Z"),
     "has a leading zero (octal in YAML 1.1); write the number without it, or quote it "
     "for text"),
    (re.compile(r"[-+]?0[xXoObB][0-9a-fA-F_]+\Z"),
     "is a hexadecimal, octal or binary integer; write it in decimal"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z"),
     "is a sexagesimal number in YAML 1.1 (1:30 reads as 90); write the number, or "
     "quote it for text"),
    (re.compile(r"(?=[^_]*[0-9]_)[-+]?[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9]+)?\Z"),
     "uses '_' between digits (YAML 1.1 drops it, YAML 1.2 reads text); write the "
     "digits only"),
)


class _StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` with the YAML 1.2 core resolvers and the checks of this module."""

    yaml_implicit_resolvers: dict = {}
    max_depth = MAX_DEPTH

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._paths: dict[int, str] = {}

    # -- composition: anchors, aliases, tags and depth are refused before they expand --
    def compose_node(self, parent: Node | None, index: object) -> Node:
        """Compose one node, refusing aliases, anchors, explicit tags and deep nesting."""
        if self.check_event(AliasEvent):
            event = self.get_event()
            raise _Refusal(f"uses the alias *{event.anchor}; anchors and aliases are not "
                           "allowed: write the value out", event.start_mark)
        event = self.peek_event()
        if event.anchor is not None:
            raise _Refusal(f"uses the anchor &{event.anchor}; anchors and aliases are not "
                           "allowed: write the value out", event.start_mark)
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refusal(f"uses the explicit tag {tag}; tags are not allowed",
                           event.start_mark)
        self._depth += 1
        if self._depth > self.max_depth:
            raise _Refusal(f"nests mappings and lists more than {self.max_depth} deep",
                           event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    # -- checks on the composed tree, with dotted paths --------------------------------
    def check_tree(self, node: Node, path: str) -> None:
        """Refuse loose scalars, merge keys, non-scalar keys and duplicate keys."""
        self._paths[id(node)] = path
        if isinstance(node, ScalarNode):
            if node.style is None:
                for pattern, advice in _LOOSE:
                    if pattern.match(node.value) and node.tag == "tag:yaml.org,2002:str":
                        raise _Refusal(f"the unquoted value {node.value!r} {advice}",
                                       node.start_mark, path)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.check_tree(item, f"{path}.{i}" if path else str(i))
        elif isinstance(node, MappingNode):
            seen: dict[object, Node] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise _Refusal("has a list or mapping as a key; keys must be plain "
                                   "words", key_node.start_mark, path)
                if key_node.style is None and key_node.value == "<<":
                    raise _Refusal("uses the merge key '<<'; write the keys out",
                                   key_node.start_mark, path)
                self.check_tree(key_node, path)
                key = self.construct_object(key_node)
                where = f"{path}.{key}" if path else str(key)
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    raise _Refusal(f"duplicate key {key!r} (first at line {first}); each "
                                   "key may appear once", key_node.start_mark, where)
                seen[key] = key_node
                self.check_tree(value_node, where)

    # -- construction: plain Python values of the core schema ------------------------
    def construct_strict_int(self, node: ScalarNode) -> int:
        """A decimal integer (the resolver admits no other form)."""
        return int(node.value)

    def construct_strict_float(self, node: ScalarNode) -> float:
        """A decimal float, or ``.inf``/``-.inf``/``.nan``."""
        text = node.value.lower()
        if text.endswith(("inf", "nan")):
            text = text.replace(".", "")
        return float(text)

    def construct_strict_bool(self, node: ScalarNode) -> bool:
        """``true`` or ``false`` in any of the three YAML 1.2 spellings."""
        return node.value.lower() == "true"

    def strict_data(self) -> object:
        """Compose the single document, check it, then build Python values."""
        node = self.get_single_node()
        if node is None:
            return None
        self.check_tree(node, "")
        return self.construct_document(node)


for _tag, _regexp, _first in _CORE:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)
_StrictLoader.add_constructor(_INT, _StrictLoader.construct_strict_int)
_StrictLoader.add_constructor(_FLOAT, _StrictLoader.construct_strict_float)
_StrictLoader.add_constructor(_BOOL, _StrictLoader.construct_strict_bool)


class _Refusal(Exception):
    """Something this reader refuses, with where it is."""

    def __init__(self, message: str, mark: yaml.Mark | None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = path


def _at(mark: yaml.Mark | None) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def read_limited(path: Path, origin: str | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a regular file of at most ``max_bytes`` bytes.

    The size is checked on the open file before reading, and the read itself stops one
    byte past the cap, so neither a huge file nor a growing one or a device is read in
    full. Hash these bytes (not the file again later) to record what was read.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    origin : str, optional
        How to name the file in errors (default: ``str(path)``).
    max_bytes : int
        The cap.

    Returns
    -------
    bytes

    Raises
    ------
    UserError
        If the file is missing, unreadable, not a regular file or too large.
    """
    origin = origin or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserError(origin, None, "file not found") from None
    except OSError as exc:
        raise UserError(origin, None, f"cannot read file: {exc.strerror or exc}") from None
    too_big = f"file is larger than {max_bytes:,} bytes; a scenario file is a few kilobytes"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserError(origin, None, "not a regular file")
        if info.st_size > max_bytes:
            raise UserError(origin, None, too_big)
        chunks, size = [], 0
        while size <= max_bytes and (chunk := os.read(fd, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise UserError(origin, None, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UserError(origin, None, too_big)
    return data


def parse_yaml(data: bytes | str, origin: str, max_depth: int = MAX_DEPTH) -> object:
    r"""Parse YAML text strictly (see the module docstring for what is refused).

    Parameters
    ----------
    data : bytes or str
        The document; bytes must be UTF-8 (a byte-order mark is allowed).
    origin : str
        How to name the source in errors.
    max_depth : int
        Deepest nesting of mappings and lists allowed.

    Returns
    -------
    object
        ``None`` for an empty document, else dicts, lists, str, int, float and bool.

    Raises
    ------
    UserError
        For every refused construct, with the field and line where known.

    Examples
    --------
    >>> parse_yaml("members: 10\nratio: 5.0\nlabel: '10'", "x.yaml")
    {'members': 10, 'ratio': 5.0, 'label': '10'}
    >>> parse_yaml("members: yes", "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.UserError: x.yaml: members: the unquoted value 'yes' is a boolean in YAML 1.1 ...
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(origin, None, f"not UTF-8 text (byte {exc.start})") from None
    else:
        text = data
    try:  # the reader refuses control characters as soon as it is built
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        raise UserError(origin, None, "not valid YAML: a control character (code "
                        f"{exc.character:#x}) at character {exc.position}; remove it"
                        ) from None
    loader.max_depth = max_depth
    try:
        return loader.strict_data()
    except _Refusal as exc:
        raise UserError(origin, exc.path or None, exc.message + _at(exc.mark)) from None
    except yaml.MarkedYAMLError as exc:
        parts = [str(part) for part in (exc.context, exc.problem) if part]
        problem = " ".join(" ".join(parts or ["syntax error"]).split())
        raise UserError(origin, None,
                        f"not valid YAML: {problem}{_at(exc.problem_mark)}") from None
    except yaml.YAMLError as exc:
        raise UserError(origin, None, f"not valid YAML: {' '.join(str(exc).split())}"
                        ) from None
    except RecursionError:
        raise UserError(origin, None, "too deeply nested to read") from None
    except MemoryError:
        raise UserError(origin, None, "too large to read into memory") from None
    finally:
        loader.dispose()


def load_yaml(path: Path, origin: str | None = None) -> object:
    """Read and parse a YAML file strictly: size cap first, then :func:`parse_yaml`.

    Refuses, each with one :class:`~sim.errors.UserError` naming the file (and the
    field and line where known): files over :data:`MAX_BYTES` bytes or that are not
    regular files or not UTF-8; anchors and aliases; explicit tags and ``<<`` merge
    keys; nesting deeper than :data:`MAX_DEPTH`; duplicate keys at any level; list or
    mapping keys; more than one document; unquoted YAML 1.1 scalars that YAML 1.2 reads
    otherwise (``yes``/``no``/``on``/``off``/``y``/``n``, ``010``, ``0x1f``, ``1_000``,
    ``1:30``). Quoted scalars are always strings, so ``"10"`` is text, and ``5.0`` is a
    float: a strict schema downstream then refuses both where an integer is needed.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    origin : str, optional
        How to name the file in errors (default: ``str(path)``).

    Returns
    -------
    object
        The parsed document (``None`` if empty).

    Raises
    ------
    UserError
        For every refused input.
    """
    origin = origin or str(path)
    return parse_yaml(read_limited(Path(path), origin), origin)
