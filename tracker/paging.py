"""Paging through long ordered lists at the cost of their first page, wherever the page."""

from django.core.paginator import Paginator


class FromEitherEnd(Paginator):
    """A paginator that reads a page past the middle from the far end, in reverse.

    `OFFSET n` makes the database step over n rows: the last of 10,000 pages would
    read the whole list. Past the middle, the same rows come off the reversed order
    with an offset from the end instead, so the last page costs what the first does.
    The list must be in a total order (ending in a unique key), as `reverse()` then
    mirrors it exactly. `count`, when given, stands for the list's size (a cached one).
    """

    def __init__(self, object_list, per_page, *, count: int | None = None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # in place of the cached_property's query

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2:
            return super().page(number)
        from_end = self.count - top
        rows = list(self.object_list.reverse()[from_end : from_end + top - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)
