"""How a check kind declares its settings: a short list of typed fields.

A check keeps its kind's settings in one JSON object (Check.settings). Each kind lists
them as `Setting`s: type, default, bounds or choices, and the message a person reads
when a value does not fit. The same list validates a stored check, builds the admin
form's fields and the API's fields, so a new kind with settings needs no migration.

A typed list rather than JSON Schema: admin and the API need form and serializer fields
with labels, help texts and choices, and people need messages in the product's own
words ("A port is a number from 1 to 65535."), which a schema validator does not give.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Validator = Callable[[object], None]  # raises django's ValidationError with the message


@dataclass(frozen=True)
class Setting:
    name: str  # unique across kinds when its meaning differs: the API publishes it flat
    type: type  # int, float, bool or str
    default: object = None
    label: str = ""
    help_text: str = ""
    required: bool = False  # False: None (numbers) or "" (text) is allowed
    minimum: float | None = None
    maximum: float | None = None
    range_message: str = ""  # shown when a number is out of [minimum, maximum]
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 200
    secret: bool = False  # encrypted at rest, write-only in admin and the API
    validators: tuple[Validator, ...] = ()

    @property
    def verbose_name(self) -> str:
        """As a sentence starts: "SNMP version", "Echo requests", "Port"."""
        text = self.label or self.name.replace("_", " ")
        return text[:1].upper() + text[1:]

    def problem(self, value) -> str:
        """Why `value` does not fit this setting; empty when it does."""
        if value is None or value == "":
            return f"{self.verbose_name} is required." if self.required else ""
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            return f"{self.verbose_name} must be {_TYPE_WORDS[self.type]}."
        if self.type in (int, float) and not self._in_range(value):
            return self.range_message or f"Give a value from {self.minimum:g} to {self.maximum:g}."
        if self.choices and value not in dict(self.choices):
            return f"Choose one of {', '.join(key for key, _ in self.choices)}."
        if self.type is str and len(value) > self.max_length:
            return f"At most {self.max_length} characters."
        return ""

    def _in_range(self, value: float) -> bool:
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)


_TYPE_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def defaults(settings: Iterable[Setting]) -> dict:
    return {setting.name: setting.default for setting in settings}


def normalized(settings: Iterable[Setting], values: Mapping) -> dict:
    """Exactly the declared settings: the given value, else the default. Other keys are dropped."""
    return {s.name: values.get(s.name, s.default) for s in settings}


def problems(settings: Iterable[Setting], values: Mapping) -> dict[str, str]:
    """setting name -> what is wrong with its value, for the values that do not fit."""
    from django.core.exceptions import ValidationError  # only here: the declarations need no Django

    errors = {}
    for setting in settings:
        value = values.get(setting.name, setting.default)
        if message := setting.problem(value):
            errors[setting.name] = message
            continue
        for validator in setting.validators if value not in (None, "") else ():
            try:
                validator(value)
            except ValidationError as error:
                errors[setting.name] = " ".join(error.messages)
                break
    return errors
