from typing import Any

from . import engine as engine
from . import nn as nn
from . import notebook as notebook
from ._core import Value as Value
from ._core import __version__ as __version__
from .draw import Drawing as Drawing
from .draw import draw_dot as draw_dot
from .errors import Error as Error
from .errors import Span as Span
from .session import Command as Command
from .session import Diagnostic as Diagnostic
from .session import FileWritten as FileWritten
from .session import Picture as Picture
from .session import Result as Result
from .session import RunResult as RunResult
from .session import Session as Session
from .session import Table as Table
from .session import Text as Text
from .notebook import session as session

def load_ipython_extension(ipython: Any) -> None: ...
def unload_ipython_extension(ipython: Any) -> None: ...
