"""Every text the server says to a person, per language, by a stable message id.

The catalogues are ``messages/tr.py`` and ``messages/en.py`` (``MESSAGES``: id → text), with the
same ids and the same ``{placeholders}`` (tests/unit/test_messages.py); the web side keeps its own
in web/common/i18n.js. Answers are bilingual, Turkish first: ``bilingual(id)`` is the Turkish text,
" / ", the English one, byte for byte what the answers said before the texts moved here. An SMS
goes out in one language: ``message(id, language)``, or ``by_language(id)`` for all of them.

Ids are dotted by area (``error.``, ``field.``, ``intake.``, ``routing.``, ``staff.``,
``notification.``, ``open311.``, ``sms.``) and never reused for another meaning: tests and clients
compare texts. This package imports nothing of the project, so that services, gateway and
contracts may all use it (pyproject.toml [tool.importlinter]).
"""
from messages import en, tr

LANGUAGES = ("tr", "en")
CATALOGUES: dict[str, dict[str, str]] = {"tr": tr.MESSAGES, "en": en.MESSAGES}
SEPARATOR = " / "


def message(message_id: str, language: str = "tr", **values: object) -> str:
    """The text ``message_id`` in ``language`` with its ``{placeholders}`` filled from ``values``;
    without values the text as written (a template to format later). KeyError for an unknown id
    or language: a missing text is a bug to see, not a blank to send."""
    written = CATALOGUES[language][message_id]
    return written.format(**values) if values else written


def by_language(message_id: str) -> dict[str, str]:
    """``{language: text}`` of ``message_id`` as written (templates), for a text sent in one language."""
    return {language: message(message_id, language) for language in LANGUAGES}


def bilingual(message_id: str, **values: object) -> str:
    """``message_id`` in Turkish, " / ", in English: how every answer's message and reason reads."""
    return SEPARATOR.join(message(message_id, language, **values) for language in LANGUAGES)
