"""Terminal dashboard: Textual app, screens, widgets and styles; reads the cache, writes through workers."""
