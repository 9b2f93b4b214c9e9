"""Views of the decisions app, split by subject: ``cases`` (list, dashboard, compilation, case page and its
actions) and ``documents`` (memo form, generated documents, batches, templates)."""
