"""Shared test settings: one torch thread (the models are tiny, and the machine is shared)."""
import torch

torch.set_num_threads(1)
