"""Reading and writing other formats: Excel workbooks, iCalendar files, GraphML."""
