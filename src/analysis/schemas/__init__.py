"""Table schemas, one module per table family, checked where tables are written."""
