"""Views of the API: the read resources, the case transitions, the token page and the docs."""
