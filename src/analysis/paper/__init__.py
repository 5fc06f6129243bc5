"""Paper stage: numbers.json from the tables, the Typst paper, and provenance.json."""
