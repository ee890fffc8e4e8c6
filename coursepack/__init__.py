"""coursepack: curriculum sources in Markdown to print-ready PDFs and course packets."""

__version__ = "0.1.0"
