"""The PDF domain: cheap inspection for the clean stage, text and tables for the extract stage."""
