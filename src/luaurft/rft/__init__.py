"""Reinforcement fine-tuning: candidates → reward → selection → training, in rounds, resumable
through the `RunStore` (`luaurft.runs.store`)."""
