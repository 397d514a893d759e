"""What every service that creates or edits a row does alike (STYLE; HackSoft's
`model_create` / `model_update`): set the fields it was given, validate the row with
`Model.full_clean` (its `clean`, field validators, unique fields and constraints), save
only what changed, and say what changed, old and new, in the shape the audit log keeps.
Secrets (passwords, keys, tokens) are recorded as changed, never by value.

A validation refusal is a domain error (`ModelInvalid`), which the API, the pages and
admin show in their own shape, never a 500."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from meetingops.errors import ApplicationError

M = TypeVar("M", bound=models.Model)

SECRET_WORDS = ("password", "secret", "token", "key")


class ModelInvalid(ApplicationError):
    """A row the model's own rules refuse; `fields` holds each field's messages."""

    code = "invalid_input"


def is_secret(field_name: str) -> bool:
    """Fields whose change is recorded but whose values never enter the log."""
    return any(word in field_name for word in SECRET_WORDS)


def plain(value: Any) -> Any:
    """A value as the audit log keeps it: rows by their id and name, sets sorted."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    return value


def refusal(error: ValidationError) -> ModelInvalid:
    """Django's ValidationError as the domain error: the first message as the detail,
    the first code given as the code, each field's messages under the field."""
    if hasattr(error, "error_dict"):
        errors = error.error_dict
    else:
        errors = {NON_FIELD_ERRORS: error.error_list}
    fields = {name: [m for e in errs for m in e.messages] for name, errs in errors.items()}
    first = next(iter(fields.values()))[0]
    code = next((e.code for errs in errors.values() for e in errs if e.code), None)
    named = {name: msgs for name, msgs in fields.items() if name != NON_FIELD_ERRORS}
    return ModelInvalid(first, code=code, fields=named)


def model_validate(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """`full_clean`, refused as ModelInvalid."""
    try:
        instance.full_clean(exclude=list(exclude) or None)
    except ValidationError as error:
        raise refusal(error) from None


def known_fields_check(data: Mapping[str, Any], fields: Sequence[str]) -> None:
    unknown = sorted(set(data) - set(fields))
    if unknown:
        # A caller's mistake, not a user's: nothing outside `fields` is edited here.
        raise TypeError(f"not editable by this service: {', '.join(unknown)}")


def model_create(
    *, model: type[M], data: Mapping[str, Any], fields: Sequence[str], **extra: Any
) -> M:
    """A new row from `data` (only `fields`) and `extra` (set by the service itself, such
    as who created it), validated and inserted."""
    known_fields_check(data, fields)
    instance = model(**data, **extra)
    model_validate(instance)
    instance.save(force_insert=True)
    return instance


def created_values(instance: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """A new row's values, as the audit log keeps them."""
    return {
        name: "set" if is_secret(name) else plain(getattr(instance, name))
        for name in fields
        if not instance._meta.get_field(name).many_to_many
    }


def model_update(
    *,
    instance: models.Model,
    data: Mapping[str, Any],
    fields: Sequence[str],
    validate_exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """Set `data` (only `fields`) on `instance`, whose row the caller holds locked;
    validate and save the fields that changed (many-to-many ones too). Returns the
    changes, `{field: {"old": ..., "new": ...}}` (a secret: "changed"); empty when
    nothing changed, and then nothing was written."""
    known_fields_check(data, fields)
    changes: dict[str, Any] = {}
    simple: list[str] = []
    many: dict[str, list[models.Model]] = {}
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        new = data[name]
        if field.many_to_many:
            old_rows = list(getattr(instance, name).all())
            new_rows = list(new)
            if {r.pk for r in old_rows} != {r.pk for r in new_rows}:
                many[name] = new_rows
                changes[name] = {"old": plain(old_rows), "new": plain(new_rows)}
            continue
        if field.is_relation:
            old_pk = getattr(instance, field.attname)
            if old_pk == (new.pk if new is not None else None):
                continue
            old = getattr(instance, name)
        else:
            old = getattr(instance, name)
            if old == new:
                continue
        setattr(instance, name, new)
        simple.append(name)
        changes[name] = "changed" if is_secret(name) else {"old": plain(old), "new": plain(new)}
    if not changes:
        return changes
    model_validate(instance, exclude=validate_exclude)
    if simple:
        instance.save(update_fields=simple)
    for name, rows in many.items():
        getattr(instance, name).set(rows)
    return changes
