"""REFI-QDA project exchange (``.qdpx``): a zip with ``project.qde`` and the sources.

Import (:mod:`~framesynth.io.refi.qdpx_read`) reads users (as coders), the codebook,
text sources (their plain-text rendition; a rich-text source whose plain text is empty
is read from its .docx), selections with their codings, notes (as memos, attached where
their NoteRefs are), cases with their variables and member sources, sets, and the
vocabularies framesynth wrote; audio and video sources with their transcript, sync
points and selections (:mod:`~framesynth.io.refi.qdpx_media`). PDF and picture sources
are reported and skipped. Positions are mapped as :mod:`framesynth.io.refi.offsets`
describes. Everything is checked before anything is stored: a bad file changes nothing.

Export (:mod:`~framesynth.io.refi.qdpx_write`) writes everything framesynth models so
that the file validates against the standard's Project.xsd and re-imports without loss:
texts byte for byte (UTF-8, ``\\n``, offsets in code points), recordings byte for byte
with their transcripts, codings (of text and of time ranges), memos, and cases with all
attributes (:mod:`~framesynth.io.refi.cases`).

What an import keeps so that the next export gives it back:

- GUIDs: of sources (``Source.guid``), codes (``Code.guid``), codings (``Coding.guid``);
  selections' GUIDs with their other attributes (name, users, dates) and Description in
  ``Source.meta["refi"]["selections"]`` (which codings each held, by coding GUID), as
  are the source's own attributes and Description. GUIDs are kept lower case.
- Dates: a coding's ``creationDateTime`` (else its selection's) is ``Coding.created_at``;
  codings the file left undated are listed in ``meta["refi"]["undated"]`` and stay so.
- Users: ``settings["refi.users"]`` maps each user's name to its GUID; codings and
  notes by that name are written with that GUID. New coders get uuid5 GUIDs, as do new
  sources, selections, codings, notes, cases and variables.
- Code descriptions exactly as written (``settings["refi.descriptions"]``, by code
  GUID), written back while the code's fields still say the same; and the file's line
  ends (``settings["refi.newline"]``: NVivo for Windows writes ``\\r\\n``).

Conventions of framesynth's own: a case variable ``framesynth:kind`` says whether a case
is a participant, organisation, partnership, place or project; source variables
``framesynth kind`` and ``framesynth speakers`` hold a source's kind and speaker links;
each vocabulary (sectors, depth, levels, formality ...) is written in the Description of
the variable that holds its terms (:mod:`~framesynth.io.refi.vocabularies`); a retired
code stays in its place in the codebook, its Description ending ``Retired: yes``.
"""

from __future__ import annotations

from framesynth.io.refi.qdpx_common import NS, Q, QdpxError, QdpxSummary
from framesynth.io.refi.qdpx_read import import_qdpx
from framesynth.io.refi.qdpx_write import export_qdpx

__all__ = ["NS", "Q", "QdpxError", "QdpxSummary", "export_qdpx", "import_qdpx"]
