"""Extraction stage: one PDF into clean, numbered paragraphs, pages and first-page metadata."""

from analysis.extract.pdf import extract_document, extract_pdf

__all__ = ["extract_document", "extract_pdf"]
