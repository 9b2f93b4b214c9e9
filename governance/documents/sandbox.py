"""The Jinja sandbox every template renders in, and the limits on rendering (each a Django setting).

``LimitedSandbox`` is Jinja's sandbox with size caps: no string or list over a size (``*``, ``+``, ``%``, ``~``,
calls and filters), no ``range`` over a size, no huge powers, and no more loop iterations in one render than a
cap. See ``rendering`` for the other two limits on an uploaded template (the archive check and the child
process)."""

import re
import threading
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MB = 1024 * 1024

# The limits, each overridable by a Django setting of the same name.
LIMIT_DEFAULTS = {
    "DOCUMENT_RENDER_CPU_SECONDS": 15,  # CPU time of the child process (RLIMIT_CPU)
    "DOCUMENT_RENDER_MEMORY_MB": 1024,  # address space the render may add to the process (RLIMIT_AS)
    "DOCUMENT_RENDER_TIMEOUT_SECONDS": 20,  # wall clock, under gunicorn's default 30 s; then the child is killed
    "DOCUMENT_RENDER_IN_CHILD": True,  # False renders in the calling process (sandbox caps only)
    "DOCUMENT_RENDER_MAX_LENGTH": 1_000_000,  # characters of a string / items of a list the template makes
    "DOCUMENT_RENDER_MAX_RANGE": 10_000,  # items of one range()
    "DOCUMENT_RENDER_MAX_LOOP_ITERATIONS": 200_000,  # loop iterations in one render, all loops together
    "DOCUMENT_TEMPLATE_MAX_UNZIPPED_MB": 50,  # the archive's parts unpacked, together
    "DOCUMENT_TEMPLATE_MAX_DOCUMENT_XML_MB": 20,  # word/document.xml unpacked
    "DOCUMENT_TEMPLATE_MAX_PARTS": 1000,  # parts in the archive
    "DOCUMENT_TEMPLATE_MAX_RATIO": 100,  # unpacked ÷ packed size of any part over 1 MB
    "DOCUMENT_PDF_TIMEOUT_SECONDS": 120,  # one LibreOffice conversion
    "DOCUMENT_CONVERTER_CONNECT_TIMEOUT_SECONDS": 3,  # reaching the converter; then the one-shot LibreOffice
    "DOCUMENT_CONVERTER_RETRY_AFTER_SECONDS": 60,  # after the converter timed out, one-shot PDFs for this long
    "DOCUMENT_TEMPLATE_CACHE_SIZE": 16,  # compiled templates kept per process (compiled.py)
}

TOO_MUCH = "Mallen tar för mycket minne eller tid att fylla i"


def limit(name: str) -> int:
    return getattr(settings, name, LIMIT_DEFAULTS[name])


class LimitExceeded(TemplateRuntimeError):
    """The template asked for more than the sandbox allows; the message (Swedish) says what."""


# ---------------------------------------------------------------------------------------------------------
# The sandbox

_LOOP_GUARD = "__origo_loop_guard"
_SIZE_GUARD = "__origo_size_guard"
# A format asking for a width of a million characters or more: "%9999999d", "{:>9999999}".
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*\d{7,}")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")
# Where an int argument is a size: these str methods and filters allocate that many characters.
_SIZING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_SIZING_FILTERS = frozenset({"center", "indent", "wordwrap"})


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with size caps: no string or list over ``max_length``, no ``range`` over ``max_range``,
    at most ``max_iterations`` loop iterations per render (every ``for`` is wrapped in a counting guard), and no
    powers with huge results. One instance per render: the loop counter is the instance's."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *, max_length: int, max_range: int, max_iterations: int, **options):
        super().__init__(**options)
        self.max_length = max_length
        self.max_range = max_range
        self.max_iterations = max_iterations
        self._renders = threading.local()  # the loop counter of the render running in this thread
        self.globals["range"] = self._range
        self.globals[_LOOP_GUARD] = self._loop_guard
        self.globals[_SIZE_GUARD] = self._checked
        self.filters = {name: self._capped_filter(name, f) for name, f in self.filters.items()}

    @property
    def iterations(self) -> int:
        return getattr(self._renders, "iterations", 0)

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._renders.iterations = value

    def start_render(self) -> None:
        """A new render in this thread: its loops count from zero (a compiled template's environment is
        shared by every render of it)."""
        self.iterations = 0

    # sizes
    def _too_big(self, what: str) -> LimitExceeded:
        return LimitExceeded(f"{TOO_MUCH}: {what} (högst {self.max_length:n} tecken eller poster).")

    def _checked(self, value):
        if isinstance(value, str | bytes | list | tuple | dict | set) and len(value) > self.max_length:
            raise self._too_big("ett värde blir för stort")
        return value

    def _check_sizes(self, args: Iterable, kwargs: dict) -> None:
        """Refuse an int argument over the cap where ints are sizes (``'a'.center(10**9)``)."""
        for value in [*args, *kwargs.values()]:
            if _is_int(value) and abs(value) > self.max_length:
                raise self._too_big(f"{value:n} är för stort som längd")

    def _range(self, *args):
        rng = range(*args)
        try:
            size = len(rng)
        except OverflowError:
            size = None
        if size is None or size > self.max_range:
            raise LimitExceeded(f"{TOO_MUCH}: range() med fler än {self.max_range:n} tal.")
        return rng

    def _loop_guard(self, iterable):
        try:
            count = len(iterable)
        except TypeError:
            return self._counting(iterable)
        self._count(count)
        return iterable

    def _counting(self, iterable):
        for item in iterable:
            self._count(1)
            yield item

    def _count(self, n: int) -> None:
        self.iterations += n
        if self.iterations > self.max_iterations:
            raise LimitExceeded(f"{TOO_MUCH}: för många varv i slingorna (högst {self.max_iterations:n}).")

    # operators, calls and filters
    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | bytes | list | tuple)
                    and _is_int(times)
                    and len(seq) * max(times, 0) > self.max_length
                ):
                    raise self._too_big("en upprepning med * blir för stor")
        elif operator == "**":
            if _is_int(left) and _is_int(right) and right * abs(left).bit_length() > 4096 and abs(left) > 1:
                raise LimitExceeded(f"{TOO_MUCH}: en upphöjning (**) ger ett för stort tal.")
        elif operator == "+":
            sequences = str | bytes | list | tuple
            if (
                isinstance(left, sequences)
                and isinstance(right, sequences)
                and len(left) + len(right) > self.max_length
            ):
                raise self._too_big("en sammanslagning med + blir för stor")
        elif operator == "%" and isinstance(left, str) and _PERCENT_WIDTH.search(left):
            raise self._too_big("en formatsträng ber om för stor bredd")
        return self._checked(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):
        if getattr(__obj, "__name__", None) in _SIZING_METHODS and isinstance(
            getattr(__obj, "__self__", None), str | bytes
        ):
            __self._check_sizes(args, kwargs)
        return __self._checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value):
        if isinstance(getattr(value, "__self__", None), str) and _BRACE_WIDTH.search(value.__self__):
            raise self._too_big("en formatsträng ber om för stor bredd")
        return super().wrap_str_format(value)

    def _capped_filter(self, name: str, function: Callable) -> Callable:
        skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1
        sizing = name in _SIZING_FILTERS

        @wraps(function)
        def capped(*args, **kwargs):
            if sizing:
                self._check_sizes(args[skip:], kwargs)
            value = args[skip - 1] if len(args) >= skip else None
            if name == "format" and isinstance(value, str) and _PERCENT_WIDTH.search(value):
                raise self._too_big("en formatsträng ber om för stor bredd")
            return self._checked(function(*args, **kwargs))

        return capped

    def _generate(self, source, name, filename, defer_init=False):
        """Before code generation: every ``for`` iterates through the loop guard and every ``~`` result passes
        the size guard. A template may not name the guards itself."""
        if isinstance(source, nodes.Template):
            for node in source.find_all(nodes.Name):
                if node.name in (_LOOP_GUARD, _SIZE_GUARD):
                    raise SecurityError("Mallen använder ett reserverat namn.")
            for loop in list(source.find_all(nodes.For)):
                loop.iter = _guarded(_LOOP_GUARD, loop.iter, self)
            for parent in list(source.find_all(nodes.Node)):
                for field in parent.fields:
                    value = getattr(parent, field, None)
                    if isinstance(value, nodes.Concat):
                        setattr(parent, field, _guarded(_SIZE_GUARD, value, self))
                    elif isinstance(value, list):
                        setattr(
                            parent,
                            field,
                            [
                                _guarded(_SIZE_GUARD, v, self) if isinstance(v, nodes.Concat) else v
                                for v in value
                            ],
                        )
        return super()._generate(source, name, filename, defer_init=defer_init)


def _guarded(guard: str, expression: nodes.Expr, environment) -> nodes.Call:
    call = nodes.Call(
        nodes.Name(guard, "load", lineno=expression.lineno),
        [expression],
        [],
        None,
        None,
        lineno=expression.lineno,
    )
    call.set_environment(environment)
    return call


def sandbox() -> SandboxedEnvironment:
    return LimitedSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        max_length=limit("DOCUMENT_RENDER_MAX_LENGTH"),
        max_range=limit("DOCUMENT_RENDER_MAX_RANGE"),
        max_iterations=limit("DOCUMENT_RENDER_MAX_LOOP_ITERATIONS"),
    )
