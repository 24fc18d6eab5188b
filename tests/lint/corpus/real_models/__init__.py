"""Real model definitions transcribed from public code, one module per model.

Each module has `SOURCE` (the public URL), `EXPECTED` (the judged findings:
rule code -> count), `REASONS` (why each expected finding is right) and
`build()` (the built, compiled Keras model). `test_corpus_real_models.py`
runs them all.
"""
