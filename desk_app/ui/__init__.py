"""The PySide6 desktop interface: the only package that imports Qt.

Start-up imports only QtCore/QtGui/QtWidgets and the login dialog; the main window and
its pages are imported after a successful sign-in.
"""
