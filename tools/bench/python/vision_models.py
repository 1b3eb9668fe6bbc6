"""The W5-W9 vision models of `npm run bench vision`, built identically by the exporter and the PyTorch side.

torchvision 0.14 (Debian python3-torchvision) with random init and a fixed seed; every 1-D parameter
and the BatchNorm running statistics are randomized (torch's exporter would otherwise tie equal
initializers through Identity nodes, and the all-ones/all-zeros init hides mistakes); Dropout
layers become Identity and EfficientNet's stochastic depth is off, so both sides run the same
arithmetic (the exported eval graph has neither).
"""
import torch
import torchvision

CLASSES = 10


def _deit_tiny():
    # DeiT-tiny shape: patch 16, width 192, depth 12, 3 heads, MLP 4x
    return torchvision.models.vision_transformer.VisionTransformer(
        image_size=224, patch_size=16, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768, num_classes=CLASSES)


BUILDERS = {
    "resnet18": lambda: torchvision.models.resnet18(num_classes=CLASSES),
    "mobilenet_v3_small": lambda: torchvision.models.mobilenet_v3_small(num_classes=CLASSES),
    "efficientnet_b0": lambda: torchvision.models.efficientnet_b0(num_classes=CLASSES, stochastic_depth_prob=0.0),
    "deit_tiny": _deit_tiny,
}


def _no_dropout(module):
    for name, child in module.named_children():
        if isinstance(child, torch.nn.Dropout):
            setattr(module, name, torch.nn.Identity())
        else:
            _no_dropout(child)
    # torchvision's attention blocks hold their dropout probability as a float
    if isinstance(module, torch.nn.MultiheadAttention):
        module.dropout = 0.0


def build(name):
    """The model `name` with the bench's weights (deterministic for a given torch build)."""
    torch.manual_seed(0)
    model = BUILDERS[name]()
    _no_dropout(model)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if p.dim() == 1:
                scale = 1.0 if pname.endswith("weight") else 0.0
                p.copy_(scale + 0.1 * torch.randn(p.shape, generator=g))
        for bname, buf in model.named_buffers():
            if bname.endswith("running_mean"):
                buf.copy_(0.1 * torch.randn(buf.shape, generator=g))
            elif bname.endswith("running_var"):
                buf.copy_(0.5 + torch.rand(buf.shape, generator=g))
    return model
