"""gunicorn's settings when it is started from this folder (``gunicorn app.wsgi:application``).

The import of a large workbook (10,000 rows) runs in one request and one transaction for up to
a minute or two on a busy machine; gunicorn's default of 30 s would kill the worker mid-import
(nothing is written then, but the person's upload is lost). Requests of the API and of the
pages answer in well under a second.
"""

timeout = 300
graceful_timeout = 30
