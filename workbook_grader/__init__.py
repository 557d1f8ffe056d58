"""Grading a class outside the students' kernels: `python -m workbook_grader` (see docs/grading.md)."""
