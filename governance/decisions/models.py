"""Models arrive with their issue; the app exists so that the layout is stable."""
