"""Views of the decisions app, split by subject: ``cases`` (list, dashboard, compilation, case page and its
actions) and ``documents`` (the memo form and KSL's batch of drafts; the document pages are the documents
app's)."""
