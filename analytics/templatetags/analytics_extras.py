from django import template

register = template.Library()


@register.filter
def get(row, key):
    """``{{ row|get:"sla_rate" }}``: a row's figure by name (the trend tables share a template)."""
    return getattr(row, key, None)
