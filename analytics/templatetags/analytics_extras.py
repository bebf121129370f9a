from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``{{ row|get:"sla_rate" }}``: a row's figure by name (the trend tables share a template)."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
