"""Numbered migrations ``mNNNN_name.py``, each with ``VERSION`` and ``upgrade(db)``.

A migration never imports ``store.models``: it freezes the tables it creates, so a
later change to the models cannot change what an old migration does.
"""
