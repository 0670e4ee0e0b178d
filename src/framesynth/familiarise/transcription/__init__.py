"""Offline transcription of recordings: engines that run on this machine only.

``engines`` is the registry and the interface every engine follows; each engine lives in
its own module and is imported only when chosen, so a missing optional library is one
clear line, not an import error.
"""
