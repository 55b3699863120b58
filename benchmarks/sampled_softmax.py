"""Epochs per minute on G_(5000,5) (20,001 nodes): full vs sampled softmax, batch and width (chapter 09's
choice of STRETCH_CONFIG).

    .venv/bin/python benchmarks/sampled_softmax.py      # ~2 minutes; writes results/sampled_softmax.json

Each setting trains 40 steps from the same init (no evaluation) and reports steps/s and epochs/min
(an epoch is the 43,750 edge + training-path examples).
"""
import json
from pathlib import Path

from geomem_utils import PathStarTask, path_star, set_seed
from geomem_utils.cache import provenance
from geomem_utils.models import model_for
from geomem_utils.train import TrainConfig, train

SETTINGS = [(128, 256, 0), (128, 256, 4096), (128, 512, 4096), (256, 512, 4096)]  # width, batch, sampled


def main(steps: int = 40):
    task = PathStarTask(path_star(5000, 5, seed=0), n_pause=1, split_seed=0)
    n = len(task.training_set())
    rows = []
    for width, batch, sampled in SETTINGS:
        set_seed(0)
        model = model_for(task, depth=2, heads=4, width=width)
        h = train(model, task, TrainConfig(steps=steps, batch_size=batch, lr=2e-3, warmup=4, sampled_softmax=sampled),
                  evaluate=lambda m: {}, progress=False, device="cpu")
        rate = steps / h.wall_time
        rows.append(dict(width=width, batch_size=batch, sampled_softmax=sampled, steps_per_s=rate,
                         epochs_per_min=rate * batch * 60 / n))
        print(f"width {width}, batch {batch}, {'sampled ' + str(sampled) if sampled else 'full softmax':>14}: "
              f"{rate:5.1f} steps/s, {rows[-1]['epochs_per_min']:5.2f} epochs/min")
    out = Path(__file__).parent / "results" / "sampled_softmax.json"
    out.write_text(json.dumps(dict(rows=rows, examples_per_epoch=n, provenance=provenance()), indent=1))


if __name__ == "__main__":
    main()
