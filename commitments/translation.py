"""The framework's texts in every language of the site (django-modeltranslation): each field
below gets a column per language (`title_en`, `title_es`), edited in the admin; reading `title`
gives the active language's, or the English where that is empty."""

from modeltranslation.translator import TranslationOptions, register

from commitments.models import Action, Principle


@register(Principle)
class PrincipleTranslation(TranslationOptions):
    fields = Principle.TRANSLATED


@register(Action)
class ActionTranslation(TranslationOptions):
    fields = Action.TRANSLATED
