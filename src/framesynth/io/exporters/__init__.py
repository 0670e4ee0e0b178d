"""Writers: codings tables and, later, matrices and reports."""
