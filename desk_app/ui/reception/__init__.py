"""The Reception area: script palette and prompter, visitor and call log, timers."""
