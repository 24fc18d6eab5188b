"""A neutral graph of layer nodes, built from a live model or a config file.

Rules see only this graph, never Keras, so the live linter and the static
file linter give identical findings. Nothing here imports keras except
`from_keras`, the only module that touches Keras' private attributes.
"""
