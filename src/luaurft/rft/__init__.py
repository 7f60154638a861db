"""Reinforcement fine-tuning: candidates → reward → selection → training, in rounds, resumable
through the run store (`luaurft.runs.store`, the layer below this one and eval)."""
