"""Evaluation: task suites with execution checks, pass@k, confidence intervals, reports."""
