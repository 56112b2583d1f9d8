"""The admin at national scale (issue 14): no COUNT(*) over millions of rows on a list page.

Django's change list counts its rows for the paginator (and again, unfiltered, unless
`show_full_result_count` is off). `CappedPaginator` counts at most `CAP` + 1 rows — a
`COUNT(*)` over a `LIMIT`, read from the list's own index — so a list of 10 million fiches
answers like a list of ten thousand; past the cap the list shows 10,001 rows (the admin's own
template has no « plus de »), and its last page is the 101st of 100.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP + 1].count()


class AtScaleAdmin:
    """For the big tables' admins: a capped count, never the unfiltered one."""

    paginator = CappedPaginator
    show_full_result_count = False
