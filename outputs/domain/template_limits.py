"""Limits of the letter templates an administrator uploads (issue 12, V6; decision 0024).

A .docx template is a Jinja program run in a sandbox (decision 0004): the sandbox stops
it from reaching Python, not from asking for a 30-million-character string or an
endless loop. Three layers:

1. `GuardedSandbox`: the operations that make a huge value out of a small template
   (`'A' * 30000000`, `2 ** 99999999`, `'%999999999s' % x`, `center(10**9)`,
   `replace`/`join` multiplying a text, `batch`/`slice` filling lists, `lipsum`) are
   refused at once with a French message, before anything is allocated; every rendered
   XML part is cut at MAX_PART_CHARS and the render stops past its deadline.
2. `run_limited`: a template is validated in a child process (fork) with a time limit
   and an address-space limit, so that whatever escapes the guards (a loop that only
   computes) is killed there: the server never holds it, and later letters are not
   affected.
3. `time_limit`: letters rendered in the background worker (its main thread) get a hard
   per-letter timeout (SIGALRM); elsewhere the deadline of layer 1 applies.
"""

import contextlib
import contextvars
import multiprocessing
import os
import re
import resource
import signal
import threading
import time

from django.utils.translation import gettext as _
from jinja2 import filters as jinja_filters
from jinja2.environment import Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# Characters one expression of a template may produce (a repeated or padded text…).
MAX_TEXT = 100_000
# Characters of one rendered XML part of a letter (a normal letter: about 100,000).
MAX_PART_CHARS = 5_000_000
# Seconds to render one letter (the default template takes a few hundredths).
RENDER_SECONDS = 10
# Validation of an uploaded template (both sample letters) in its child process.
VALIDATION_SECONDS = 15
VALIDATION_EXTRA_MEMORY = 768 * 1024 * 1024

_deadline = contextvars.ContextVar("letter_deadline", default=None)


class TemplateLimitExceeded(SecurityError):
    """A template asked for more than the limits allow (a French message)."""


def too_long():
    return TemplateLimitExceeded(
        _(
            "le modèle produit un texte de plus de %(n)s caractères (une répétition, un "
            "remplissage ou une mise en forme démesurés)"
        )
        % {"n": f"{MAX_TEXT:,}".replace(",", "\u202f")}
    )


def too_big():
    return TemplateLimitExceeded(
        _("le courrier produit dépasse %(n)s caractères")
        % {"n": f"{MAX_PART_CHARS:,}".replace(",", "\u202f")}
    )


def too_slow(seconds):
    return TemplateLimitExceeded(
        _("le modèle met plus de %(n)d secondes à produire un courrier") % {"n": seconds}
    )


def _length(value):
    try:
        return len(value)
    except TypeError:
        return None


# printf-style widths or precisions taken from the arguments (*) or of 6 digits or more.
_PRINTF_WIDE = re.compile(r"%[-#0 +]*(\*|\d{6,})|%[-#0 +]*\d*\.(\*|\d{6,})")
# str.format specs that are nested ({:{}}) or hold a 6-digit number.
_FORMAT_WIDE = re.compile(r"\{[^{}]*:[^{}]*(\{|\d{6,})")


def _check_printf(text):
    if isinstance(text, str) and _PRINTF_WIDE.search(text):
        raise too_long()


def _check_width(width, limit=MAX_TEXT):
    if isinstance(width, int) and not isinstance(width, bool) and width > limit:
        raise too_long()


def _check_replace(text, old, new, count=-1):
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    if len(text) + found * max(0, len(new) - len(old)) > MAX_TEXT + len(text):
        raise too_long()


def _check_join(separator, items):
    if not isinstance(separator, str) or not separator:
        return
    count = _length(items)
    if count is not None and len(separator) * max(0, count - 1) > MAX_TEXT:
        raise too_long()


def _guarded_filters():
    """The built-in filters that can multiply their input, with their arguments bounded."""

    def center(value, width=80):
        _check_width(width)
        return jinja_filters.do_center(value, width)

    def indent(value, width=4, first=False, blank=False):
        _check_width(width if isinstance(width, int) else len(str(width)), 1000)
        return jinja_filters.do_indent(value, width, first, blank)

    def format_(value, *args, **kwargs):
        _check_printf(value)
        return jinja_filters.do_format(value, *args, **kwargs)

    def batch(value, linecount, fill_with=None):
        _check_width(linecount, 10_000)
        return jinja_filters.do_batch(value, linecount, fill_with)

    def slice_(value, slices, fill_with=None):
        _check_width(slices, 10_000)
        return jinja_filters.do_slice(value, slices, fill_with)

    def wordwrap(environment, s, width=79, break_long_words=True, wrapstring=None, **kwargs):
        if wrapstring is not None and len(str(wrapstring)) > 100:
            raise too_long()
        return jinja_filters.do_wordwrap(
            environment, s, width, break_long_words, wrapstring, **kwargs
        )

    wordwrap.jinja_pass_arg = jinja_filters.do_wordwrap.jinja_pass_arg

    def replace(eval_ctx, s, old, new, count=None):
        _check_replace(str(s), str(old), str(new), -1 if count is None else count)
        return jinja_filters.do_replace(eval_ctx, s, old, new, count)

    replace.jinja_pass_arg = jinja_filters.do_replace.jinja_pass_arg

    def join(eval_ctx, value, d="", attribute=None):
        value = list(value) if not isinstance(value, (list, tuple, str)) else value
        _check_join(str(d), value)
        return jinja_filters.do_join(eval_ctx, value, d, attribute)

    join.jinja_pass_arg = jinja_filters.do_join.jinja_pass_arg

    return {
        "center": center,
        "indent": indent,
        "format": format_,
        "batch": batch,
        "slice": slice_,
        "wordwrap": wordwrap,
        "replace": replace,
        "join": join,
    }


_STR_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill"}


class BoundedTemplate(Template):
    """A template whose output is counted as it is produced: cut at MAX_PART_CHARS, and
    stopped once the current letter's deadline (`deadline`) has passed."""

    def render(self, *args, **kwargs):
        ctx = self.new_context(dict(*args, **kwargs))
        deadline = _deadline.get()
        try:
            size = 0
            chunks = []
            for chunk in self.root_render_func(ctx):
                size += len(chunk)
                if size > MAX_PART_CHARS:
                    raise too_big()
                if deadline is not None and time.monotonic() > deadline[0]:
                    raise too_slow(deadline[1])
                chunks.append(chunk)
            return self.environment.concat(chunks)
        except Exception:
            self.environment.handle_exception()


class GuardedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with the size guards of this module (layer 1)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    template_class = BoundedTemplate

    def __init__(self, **options):
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        self.filters.update(_guarded_filters())

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                length = _length(sequence)
                if length is not None and isinstance(times, int) and length * times > MAX_TEXT:
                    raise too_long()
        elif operator == "**":
            if (
                isinstance(right, (int, float))
                and abs(right) > 10_000
                and isinstance(left, (int, float))
                and abs(left) not in (0, 1)
            ):
                raise too_long()
        elif operator == "%":
            _check_printf(left)
        elif operator == "+":
            sizes = (_length(left), _length(right))
            if None not in sizes and sum(sizes) > MAX_PART_CHARS:
                raise too_big()
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        name = getattr(method, "__name__", "")
        if isinstance(owner, str):
            if name in _STR_WIDTH_METHODS and args:
                _check_width(args[0])
            elif name == "expandtabs":
                _check_width(args[0] if args else kwargs.get("tabsize"), 100)
            elif name in {"format", "format_map"} and _FORMAT_WIDE.search(owner):
                raise too_long()
            elif name == "replace" and len(args) >= 2:
                _check_replace(owner, *args[:3])
            elif name == "join" and args:
                items = args[0] if isinstance(args[0], (list, tuple, str)) else None
                _check_join(owner, items)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)


@contextlib.contextmanager
def deadline(seconds=None):
    """Within: a letter's rendering stops past `seconds` (checked as output is produced);
    in the main thread (the background worker), a hard SIGALRM timeout as well."""
    seconds = RENDER_SECONDS if seconds is None else seconds
    token = _deadline.set((time.monotonic() + seconds, seconds))
    hard = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    previous = None
    if hard:

        def expire(signum, frame):
            raise too_slow(seconds)

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if hard:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        _deadline.reset(token)


# ----------------------------------------------------------------------------- layer 2


def _address_space():
    """This process's current virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _child(connection, function, args, extra_memory):
    try:
        current = _address_space()
        if current is not None:
            limit = current + extra_memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        connection.send(("ok", function(*args)))
    except MemoryError:
        connection.send(("memory", None))
    except BaseException as exc:  # anything: report it to the parent
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def run_limited(function, *args, seconds=None, extra_memory=None):
    """`function(*args)` in a forked child process limited to `seconds` and to
    `extra_memory` bytes more than this process: returns its result or raises what it
    raised; raises TemplateLimitExceeded when the child ran out of time or memory.
    The result must be picklable; an exception raised in the child comes back as a
    RuntimeError naming it. Where fork does not exist, runs it here under `deadline`."""
    seconds = VALIDATION_SECONDS if seconds is None else seconds
    extra_memory = VALIDATION_EXTRA_MEMORY if extra_memory is None else extra_memory
    if "fork" not in multiprocessing.get_all_start_methods():
        with deadline(seconds):
            return function(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args, extra_memory))
    process.daemon = True
    process.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            try:
                status, value = receiver.recv()
            except (EOFError, OSError):
                status, value = "memory", None
        else:
            status, value = "timeout", None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if status == "ok":
        return value
    if status == "timeout":
        raise too_slow(seconds)
    if status == "memory":
        raise TemplateLimitExceeded(
            _("le modèle demande trop de mémoire pour produire un courrier")
        )
    raise RuntimeError(value)
