"""Weights for the Admiralty rating: how much a piece of evidence counts in weighted sums.

F (reliability cannot be judged) and 6 (truth cannot be judged) are not "worst": they mean nobody could
say. Their default weight (0.5) sits in the middle and rows resting on them are flagged, not hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from kzannotate.store.errors import ValidationError
from kzannotate.store.models import RELIABILITY_LETTERS

DEFAULT_RELIABILITY = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.5}
DEFAULT_CREDIBILITY = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5}
META_KEY = "analysis_weights"  # project meta key holding the analyst's weights as JSON


@dataclass(frozen=True)
class Weights:
    reliability: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RELIABILITY))
    credibility: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_CREDIBILITY))

    def weight(self, reliability: str | None, credibility: int | None) -> float:
        """w(reliability) × w(credibility); a missing letter or number counts as F or 6."""
        return self.reliability.get(reliability or "F", 0.5) * self.credibility.get(credibility or 6, 0.5)

    @classmethod
    def unweighted(cls) -> Weights:
        return cls({k: 1.0 for k in RELIABILITY_LETTERS}, {k: 1.0 for k in range(1, 7)})

    @property
    def is_default(self) -> bool:
        return self.reliability == DEFAULT_RELIABILITY and self.credibility == DEFAULT_CREDIBILITY

    def with_value(self, key: str | int, value: float) -> Weights:
        """A copy with one weight changed (``"A"``…``"F"`` or ``1``…``6``)."""
        value = check_weight(value)
        if isinstance(key, str) and key in RELIABILITY_LETTERS:
            return Weights({**self.reliability, key: value}, dict(self.credibility))
        if isinstance(key, int) and 1 <= key <= 6:
            return Weights(dict(self.reliability), {**self.credibility, key: value})
        raise ValidationError(f"There is no weight called {key!r}.")

    def to_json(self) -> dict[str, dict[str, float]]:
        return {"reliability": dict(self.reliability),
                "credibility": {str(k): v for k, v in self.credibility.items()}}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def from_json(cls, data: object) -> Weights:
        """Read weights written by ``to_json``; missing entries take the default, bad ones raise."""
        if not isinstance(data, dict):
            raise ValidationError("Weights must be a JSON object with 'reliability' and 'credibility'.")
        rel = dict(DEFAULT_RELIABILITY)
        cred = dict(DEFAULT_CREDIBILITY)
        for key, value in (data.get("reliability") or {}).items():
            if key not in RELIABILITY_LETTERS:
                raise ValidationError(f"Unknown reliability letter {key!r} in the weights.")
            rel[key] = check_weight(value)
        for key, value in (data.get("credibility") or {}).items():
            try:
                number = int(key)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 6:
                raise ValidationError(f"Unknown credibility number {key!r} in the weights.")
            cred[number] = check_weight(value)
        return cls(rel, cred)

    @classmethod
    def loads(cls, text: str | None) -> Weights:
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"The weights are not valid JSON ({exc.msg}).") from exc
        return cls.from_json(data)


def check_weight(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(f"A weight must be a number from 0 to 1, not {value!r}.") from None
    if not 0.0 <= number <= 1.0:
        raise ValidationError(f"A weight must be a number from 0 to 1, not {value!r}.")
    return number


def project_weights(project) -> Weights:
    """The weights saved with the project (the ACH view edits them), or the defaults."""
    try:
        return Weights.loads(project.get_meta(META_KEY))
    except ValidationError:
        return Weights()


def is_flagged(reliability: str | None, credibility: int | None) -> bool:
    """Rests on F or 6: cannot be judged, so the weight is a guess; show it."""
    return (reliability or "F") == "F" or (credibility or 6) == 6
