"""Grading a class outside the students' kernels: `python -m grader` (see docs/grading.md)."""
