"""Parameter values as JSON carries them: numpy and pandas values made plain, NaN and infinities found."""

from __future__ import annotations

import math
import numbers
from typing import Any

Data = dict[str, Any]


def plain(value: Any) -> Any:
    """``value`` with numpy numbers and arrays, pandas arrays and series (what a data frame gives:
    ``df.col.to_numpy()``, ``.values``, ``.unique()``, text columns included) as Python's own
    numbers, text and lists, as they arrive through the API after JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if type(value).__module__.split(".")[0] in ("numpy", "pandas") and hasattr(value, "tolist"):
        return plain(value.tolist())  # a numpy scalar's is a Python number, an array's a (nested) list
    return value


def not_finite(value: Any) -> bool:
    """Whether ``value`` holds NaN or an infinity (JSON has neither; orjson would send null)."""
    if isinstance(value, dict):
        return any(not_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(not_finite(v) for v in value)
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return not math.isfinite(value)
    return False
