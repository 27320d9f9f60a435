"""The dossier after reception: processing, supplements, refusal, extension, stop, result, return.

Each action is one transaction: the dossier row is locked, the move checked against
``core.lifecycle``, the dossier updated and one history event appended with what its paper
(Mẫu 02–06) prints later; an action the state does not allow writes nothing. The papers and the
log book (Mẫu 07) are read from that history, so a reprint years later shows the same words.

``commands`` holds the typed actions, ``actions`` runs them, ``status`` reads where a dossier
stands, ``notices`` writes its papers and the log book.
"""
