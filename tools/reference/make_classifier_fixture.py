#!/usr/bin/python3
"""Reference for FashionClassifier's forward pass, computed by PyTorch.

Run with Debian's interpreter (torch 1.13):  /usr/bin/python3 tools/reference/make_classifier_fixture.py
Writes src/test/resources/reference/classifier/tiny_forward.txt: a tiny classifier (conv 1->2->3, 4 features)
with random weights in PyTorch layouts, three random images [3, 1, 32, 32], and the logits and penultimate
features PyTorch computes. Format: one tensor per line, "name d0,d1,... v0 v1 ...".
The Java model keeps activations channels-last, so fc1 sees the pooled map flattened in (h, w, c) order;
here that is permute(0, 2, 3, 1) before flatten.
"""
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "reference", "classifier",
                   "tiny_forward.txt")

torch.manual_seed(1234)
C1, C2, FEAT = 2, 3, 4
w = {
    "conv1.weight": torch.randn(C1, 1, 3, 3) * 0.5,
    "conv1.bias": torch.randn(C1) * 0.1,
    "conv2.weight": torch.randn(C2, C1, 3, 3) * 0.4,
    "conv2.bias": torch.randn(C2) * 0.1,
    "fc1.weight": torch.randn(FEAT, 8 * 8 * C2) * 0.1,
    "fc1.bias": torch.randn(FEAT) * 0.1,
    "fc2.weight": torch.randn(10, FEAT) * 0.5,
    "fc2.bias": torch.randn(10) * 0.1,
}
images = torch.rand(3, 1, 32, 32) * 2 - 1

x = F.max_pool2d(F.relu(F.conv2d(images, w["conv1.weight"], w["conv1.bias"], padding=1)), 2)
x = F.max_pool2d(F.relu(F.conv2d(x, w["conv2.weight"], w["conv2.bias"], padding=1)), 2)
x = x.permute(0, 2, 3, 1).flatten(1)
features = F.relu(F.linear(x, w["fc1.weight"], w["fc1.bias"]))
logits = F.linear(features, w["fc2.weight"], w["fc2.bias"])

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    for name, t in list(w.items()) + [("images", images), ("features", features), ("logits", logits)]:
        shape = ",".join(str(d) for d in t.shape)
        f.write(name + " " + shape + " " + " ".join(repr(float(v)) for v in t.reshape(-1).tolist()) + "\n")
print("wrote", OUT)
