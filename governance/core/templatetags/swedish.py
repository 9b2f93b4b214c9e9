"""Template filters for Swedish formatting; they call governance.core.formatting."""

from django import template

from governance.core import formatting

register = template.Library()


@register.filter
def amount(value):
    return "" if value in (None, "") else formatting.format_amount(int(value))


@register.filter
def number(value):
    return "" if value in (None, "") else formatting.format_number(int(value))


@register.filter
def percent(value):
    return "" if value in (None, "") else formatting.format_percent(value)


@register.filter
def date_long(value):
    return "" if value is None else formatting.format_date_long(value)


@register.filter
def genitive(value):
    return formatting.genitive(str(value))


@register.filter
def signed_amount(value):
    if value in (None, ""):
        return ""
    value = int(value)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + formatting.format_amount(abs(value))


@register.filter
def get_item(mapping, key):
    """``{{ dict|get_item:key }}`` for per-row lookups in templates."""
    return mapping.get(key) if mapping else None
