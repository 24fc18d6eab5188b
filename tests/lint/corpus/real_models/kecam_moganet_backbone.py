# ruff: noqa: E501
"""MogaNet of keras_cv_attention_models as a backbone (num_classes=0): the same pre-norm blocks with drop-path, the model's output is the last stack's BN features.

Source: https://github.com/leondgarse/keras_cv_attention_models/blob/02771fa52d435558ffa2d6c35203bd22684451dd/keras_cv_attention_models/moganet/moganet.py (MIT).
Transcribed: as in kecam_moganet (same builder), called with
num_blocks=[1, 1, 1, 2] and num_classes=0, for which the source's
output_block adds no head and the model outputs the features; not compiled
(a backbone is trained inside the model that uses it).
"""

SOURCE = "https://github.com/leondgarse/keras_cv_attention_models/blob/02771fa52d435558ffa2d6c35203bd22684451dd/keras_cv_attention_models/moganet/moganet.py"
# Building its weights takes about 2 s: its cases run with -m slow.
SLOW = True
# The judged findings: rule code -> count, every severity. Anything else the
# linter reports on this model is a false alarm or a duplicate.
EXPECTED: dict[str, int] = {"KO101": 8, "KO106": 5}
# One line per expected code: why the finding is right on this model.
REASONS: dict[str, str] = {
    "KO101": "Blocks 2-5 each put a per-sample drop-path on both residual "
    "branches; each of the 8 reaches the next BN through the Add: info, one "
    "finding per drop-path.",
    "KO106": "The two stem convs and the 3 downsample convs keep use_bias=True "
    "and feed only a BN.",
}


def build():
    from .kecam_moganet import build_moganet

    return build_moganet(num_blocks=[1, 1, 1, 2], num_classes=0)
