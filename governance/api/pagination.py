"""Pages of list endpoints: 50 rows unless asked for fewer or more, never more than 200."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
