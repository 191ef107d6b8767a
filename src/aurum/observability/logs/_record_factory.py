"""A LogRecord factory that never lets a stdlib log call raise on its own arguments.

``logging.LogRecord.__init__`` itself inspects a single argument (``isinstance(args[0], Mapping)``,
for ``%(key)s`` formatting), so a value whose ``__class__`` raises makes
``logging.getLogger(...).warning("%s", value)`` raise inside the standard library, before any handler
of ours runs. Wrapping the process's record factory keeps such a call's line: the record is built
without that inspection and the arguments are kept as given, for the handler's safe rendering.
"""

from __future__ import annotations

import logging
from typing import Any

from aurum.observability.logs._values import propagate_interrupt

_GUARD = "_aurum_guarded"


def install_guarded_record_factory() -> None:
    """Wrap the current record factory once; another library's factory stays in the chain."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _GUARD, False):
        return

    def guarded(*args: Any, **kwargs: Any) -> logging.LogRecord:
        try:
            return previous(*args, **kwargs)
        except BaseException as error:  # the arguments' own methods raised; the line must survive
            propagate_interrupt(error)
            # LogRecord(name, level, pathname, lineno, msg, args, exc_info, ...): build it with no
            # arguments, then keep the caller's, which the handler renders safely.
            positional = list(args)
            call_args = positional[5] if len(positional) > 5 else kwargs.get("args")
            if len(positional) > 5:
                positional[5] = ()
            else:
                kwargs["args"] = ()
            record = previous(*positional, **kwargs)
            record.args = call_args
            return record

    setattr(guarded, _GUARD, True)
    logging.setLogRecordFactory(guarded)
