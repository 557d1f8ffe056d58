"""Grading a class outside the students' kernels: `python -m grader` (see README, "Grading a class")."""
