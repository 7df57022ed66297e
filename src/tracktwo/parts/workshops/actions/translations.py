"""Translations of a workshop's ideas and of its triggering question.

The room is mixed: participants write ideas in their own language and read the list on their
phones. Facilitators (or interpreters with a facilitator's account) enter one translation per
idea and language, as they do for dialogue statements; phones then show each idea in the
participant's language with the original one tap away, and the presenter screen shows the
original with every translation under it. A translation is only as good as the person who
wrote it, so the original is never hidden anywhere.

The triggering question is written by the facilitators in the initiative's first language,
which counts as its original language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import InvalidInput, NotFound
from tracktwo.kernel.text import clean_statement_text
from tracktwo.parts.workshops.actions.ideas import active_ideas
from tracktwo.parts.workshops.actions.workshops import MAX_QUESTION, touch, workshop_for
from tracktwo.parts.workshops.models import (
    Idea,
    IdeaTranslation,
    Workshop,
    WorkshopQuestionTranslation,
)

__all__ = [
    "IdeaTranslationRow",
    "idea_text_for",
    "question_language",
    "question_text_for",
    "set_idea_translation",
    "set_question_translation",
    "translation_rows",
    "translations_in",
]


class _Translation(Protocol):
    language: str
    text: str
    translated_by_id: int | None


T = TypeVar("T", bound=_Translation)


def _find(translations: Sequence[T], language: str) -> T | None:
    return next((t for t in translations if t.language == language), None)


def idea_text_for(idea: Idea, language: str) -> tuple[str, str, bool]:
    """The idea as a reader of ``language`` sees it: ``(text, its language, is_translation)``.

    The original when it is written in ``language`` or has no translation into it.
    """
    if language != idea.language:
        translation = _find(idea.translations, language)
        if translation is not None:
            return translation.text, language, True
    return idea.text, idea.language, False


def question_language(workshop: Workshop) -> str:
    """The language the triggering question is written in: the initiative's first."""
    languages = workshop.initiative.languages
    return languages[0] if languages else "en"


def question_text_for(workshop: Workshop, language: str) -> tuple[str, str, bool]:
    """The triggering question for a reader of ``language``, as :func:`idea_text_for`."""
    original = question_language(workshop)
    if language != original:
        translation = _find(workshop.question_translations, language)
        if translation is not None:
            return translation.text, language, True
    return workshop.question, original, False


def translations_in(
    translations: Sequence[_Translation], original: str, languages: Sequence[str]
) -> list[tuple[str, str]]:
    """``(language, text)`` of each translation, in the initiative's order of languages.

    For the screens and documents that show the original with its translations under it.
    """
    return [
        (language, found.text)
        for language in languages
        if language != original and (found := _find(translations, language)) is not None
    ]


def _apply(
    translations: list[T],
    make: Callable[[str, str], T],
    actor: Actor,
    language: str,
    text: str,
    limit: int,
) -> T | None:
    """Enter, change or (with an empty text) remove the translation into ``language``."""
    existing = _find(translations, language)
    if not text.strip():
        if existing is not None:
            translations.remove(existing)
        return None
    try:
        cleaned = clean_statement_text(text, limit)
    except InvalidInput:
        raise InvalidInput(
            f"The translation is too long ({len(text.strip())} characters; at most {limit}). "
            "Shorten it."
        ) from None
    if existing is None:
        existing = make(language, cleaned)
        translations.append(existing)
    else:
        existing.text = cleaned
    existing.translated_by_id = actor.id if actor is not None else None
    return existing


def _check_language(workshop: Workshop, language: str, original: str, what: str) -> None:
    if language not in workshop.initiative.languages:
        raise InvalidInput(
            f"{language or 'No language'} is not one of this initiative's languages; "
            f"choose one of {', '.join(workshop.initiative.languages)}."
        )
    if language == original:
        raise InvalidInput(f"The {what} is already written in that language.")


def set_idea_translation(
    db: Session, actor: Actor, workshop_id: int, idea_id: int, language: str, text: str
) -> IdeaTranslation | None:
    """Enter, change or (with an empty text) remove one idea's translation (facilitators).

    Translations may run to twice the workshop's longest idea: some languages need more
    words than others for the same point.
    """
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    idea = db.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        raise NotFound(f"This workshop has no idea {idea_id}.")
    _check_language(workshop, language, idea.language, "idea")
    translation = _apply(
        idea.translations,
        lambda code, cleaned: IdeaTranslation(language=code, text=cleaned),
        actor,
        language,
        text,
        workshop.max_length * 2,
    )
    touch(workshop)
    db.flush()
    return translation


def set_question_translation(
    db: Session, actor: Actor, workshop_id: int, language: str, text: str
) -> WorkshopQuestionTranslation | None:
    """Enter, change or (with an empty text) remove the triggering question's translation."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    _check_language(workshop, language, question_language(workshop), "triggering question")
    translation = _apply(
        workshop.question_translations,
        lambda code, cleaned: WorkshopQuestionTranslation(language=code, text=cleaned),
        actor,
        language,
        text,
        MAX_QUESTION,
    )
    touch(workshop)
    db.flush()
    return translation


@dataclass(frozen=True)
class IdeaTranslationRow:
    """One idea on the facilitators' translations page, with what exists per language."""

    idea: Idea
    texts: dict[str, str]  # language -> translation, for the initiative's other languages

    def missing(self, languages: Sequence[str]) -> list[str]:
        return [code for code in languages if code != self.idea.language and code not in self.texts]


def translation_rows(db: Session, actor: Actor, workshop_id: int) -> list[IdeaTranslationRow]:
    """The ideas participants can see, each with its translations (facilitators only)."""
    workshop = workshop_for(db, actor, workshop_id, at_least=Role.FACILITATOR)
    return [
        IdeaTranslationRow(idea, {t.language: t.text for t in idea.translations})
        for idea in active_ideas(db, workshop.id)
    ]
