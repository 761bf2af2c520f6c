"""The admin's "view on site" redirect, limited to what the person may see.

Django's own shortcut redirects to any object's public address, which would reveal the
address (and so the title) of another county's draft."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponseRedirect

from counties.models import County
from programmes.models import FieldOfAction, Programme

PUBLIC_MODELS = {County, FieldOfAction}


@staff_member_required
def view_on_site(request, content_type_id, object_id):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is Programme:
        objects = Programme.objects.publicly_reachable()
    elif model in PUBLIC_MODELS:
        objects = model.objects.all()
    else:
        raise Http404
    obj = objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
    if obj is None:
        raise Http404
    return HttpResponseRedirect(obj.get_absolute_url())
