"""Cache invalidation only: a saved or deleted topic or category changes its organization's choices.

The version is bumped at once (so later lookups in the same transaction, and tests, see the change) and
again after commit (so a process that rebuilt from the database before the commit does not keep the
pre-commit rows). ``QuerySet.update()`` and ``bulk_create`` send no signals; see ``apps.topics.matching``.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.topics.matching import topic_choices_invalidate
from apps.topics.models import Category, Topic


@receiver([post_save, post_delete], sender=Topic, dispatch_uid="topics_choices_topic_changed")
@receiver([post_save, post_delete], sender=Category, dispatch_uid="topics_choices_category_changed")
def topic_choices_changed(sender: type, instance: Topic | Category, **kwargs: Any) -> None:
    organization_id = instance.organization_id
    topic_choices_invalidate(organization_id=organization_id)
    transaction.on_commit(lambda: topic_choices_invalidate(organization_id=organization_id))
