"""The model linter: declarative rules over the neutral graph.

Importing this package loads no ML framework; only `lint_model` on a live
model imports keras, through `graph.from_keras`.
"""
