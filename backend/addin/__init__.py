"""The Python side of the Excel add-in (issue 9).

The task pane (``addin/`` at the repository root, served at ``/addin``) sends the workbook as
xlwings' book JSON; the routes in ``backend/api/routes/addin.py`` hand it to the modules here,
which call the same services as the REST API and answer with xlwings actions for the client
to apply in order.

It lives under ``backend/`` (not ``addin/``) so it ships in the installed distribution, whose
packages are ``backend*``. ``bridge`` is the only module of the project that imports xlwings.

Reading and writing take different paths on purpose: cells are read from the raw book JSON
(``grid_from_book_json``, the same parser as an upload) because xlwings' reader turns Excel
errors such as ``#N/A`` into blanks, and the accountant must hear "this cell shows #N/A", not
"this cell is empty"; everything written back goes through ``xw.Book(json=...)``, whose
``book.json()`` actions our task pane applies.
"""
