"""Reading and writing other formats: Excel workbooks, iCalendar files, GraphML."""

__all__: list[str] = []
