"""`python -m keras_ordering`: the keras-ordering command line."""

from .cli import run

if __name__ == "__main__":
    run()
