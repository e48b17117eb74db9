"""History: what the part versions kept tell (see :mod:`tmdb_collector.store.versions`).

:mod:`.availability` turns the watch providers' versions into offer intervals and arrival and
departure events; :mod:`.tables` gives the ``availability`` and ``part_versions`` tables of the
table exports; :mod:`.as_of` a copy of the collection as it was on a past day.
"""
