"""Cursor pagination: stable pages however many rows are added meanwhile."""

from rest_framework.pagination import CursorPagination


class ById(CursorPagination):
    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 200
