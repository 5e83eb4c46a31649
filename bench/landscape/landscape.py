"""Times a 41×41 loss surface of the digits MLP (64-32-10, relu, softmax cross-entropy, f64)
over its training split: Downhill against PyTorch, interleaved, median of --rounds.

Downhill: `downhill landscape CFG --model M.json` with the interpolation and the sharpness cut
to their minimum (3 α points, 1 power iteration, 1 ascent step), so the wall time is the process,
the data, and the 1 681 surface points (rayon, RAYON_NUM_THREADS = 1 and 2).
PyTorch: the same grid as a Python loop over (a, b), writing θ + a·δ + b·η into an nn.Module
and evaluating the loss on the whole training split under no_grad (the reference's
plot_surface.py loop), torch.set_num_threads(1 and 2). The directions are drawn with torch;
which random numbers does not change the cost.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import torch
from sklearn.datasets import load_digits

GRID = 41

CONFIG = """
[data]
source = "digits"
standardize = true
validation_fraction = 0.2

[model]
kind = "mlp"
hidden = [32]
activation = "relu"

[optimizer]
name = "sgd"
lr = 0.05
momentum = 0.9

[train]
epochs = 10
batch_size = 32

[landscape]
alpha_range = [-0.5, 1.5]
alpha_resolution = 1
surface_points = %d
power_iterations = 1
epsilon_steps = 1
""" % GRID


def downhill(exe, cfg, model, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    t = time.perf_counter()
    out = subprocess.run([exe, "landscape", cfg, "--model", model, "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    dt = time.perf_counter() - t
    v = json.loads(out)
    assert len(v["surface"]["train_loss"]) == GRID
    return dt


def torch_surface(threads, n_train):
    torch.set_num_threads(threads)
    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x[:n_train], dtype=torch.float64)
    x = (x - x.mean(0)) / x.std(0).clamp_min(1e-12)
    y = torch.tensor(y[:n_train])
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                              torch.nn.Linear(32, 10)).double()
    theta = [p.detach().clone() for p in net.parameters()]
    dx = [torch.randn_like(p) for p in theta]
    dy = [torch.randn_like(p) for p in theta]
    loss = torch.nn.CrossEntropyLoss()
    axis = np.linspace(-1.0, 1.0, GRID)
    surf = np.zeros((GRID, GRID))
    t = time.perf_counter()
    with torch.no_grad():
        for j, b in enumerate(axis):
            for i, a in enumerate(axis):
                for p, w, u, v in zip(net.parameters(), theta, dx, dy):
                    p.copy_(w + a * u + b * v)
                surf[j, i] = loss(net(x), y).item()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--downhill", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "digits.toml")
        model = os.path.join(d, "model.json")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        # `downhill train` refuses the [landscape] table: train from the config without it.
        plain = os.path.join(d, "train.toml")
        with open(plain, "w") as f:
            f.write(CONFIG.split("[landscape]")[0])
        subprocess.run([args.downhill, "train", plain, "--save", model], check=True,
                       capture_output=True)
        n_train = 1797 - int(np.ceil(1797 * 0.2))  # the split Downhill makes (ceil of the fraction)
        times = {k: [] for k in ["downhill 1 thread", "downhill 2 threads",
                                 "pytorch 1 thread", "pytorch 2 threads"]}
        for _ in range(args.rounds):
            for th in (1, 2):
                times[f"downhill {th} thread" + ("s" if th > 1 else "")].append(
                    downhill(args.downhill, cfg, model, th))
                times[f"pytorch {th} thread" + ("s" if th > 1 else "")].append(
                    torch_surface(th, n_train))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"41×41 surface, digits MLP 64-32-10 (f64) over its {n_train}-row training split; "
          f"median of {args.rounds} interleaved rounds; torch {torch.__version__}")
    print(f"{'':22} {'seconds':>9} {'vs pytorch same threads':>24}")
    for k, v in med.items():
        peer = med["pytorch " + k.split(" ", 1)[1]]
        print(f"{k:22} {v:9.3f} {peer / v:23.1f}×")


if __name__ == "__main__":
    main()
