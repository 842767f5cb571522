"""Sample values shared by the records tests."""

HOSTILE = [  # text that must stay inert data: SQL-ish, formula-ish, markup, bidi and other Unicode
    "Robert'); DROP TABLE records;--",
    '=HYPERLINK("http://evil.example","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\u202eevil\u202c \U0001f600 日本語 Ünïcödé",
    "<script>alert(1)</script>",
]
