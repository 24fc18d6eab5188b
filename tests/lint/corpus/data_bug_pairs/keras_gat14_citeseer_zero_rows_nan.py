"""Citeseer's all-zero feature rows divided by their sums: every loss is NaN.

The report: keras-gat's example trains a graph attention network on Cora,
but on Citeseer the training loss is NaN. The example row-normalizes the
bag-of-words features, `X_train /= X_train.sum(1).reshape(-1, 1)`, and the
loader adds Citeseer's isolated test nodes as zero vectors: 0 / 0 puts a
row of NaN in the features. The fix, from the thread and merged:
`X[np.isnan(X)] = 0.` after the division. Transcribed (scaled down from
3327 nodes and 3703 words): Dropout(0.6) -> GraphAttention(8, 3 heads,
concat, elu) -> Dropout(0.6) -> GraphAttention(6 classes, 1 head, average,
softmax) on node features and the adjacency matrix (with self-loops), as
in the example; the whole graph is one batch (`batch_size=N`); a few nodes
have no words.
"""

SOURCE = "https://github.com/danielegrattarola/keras-gat/issues/14"
RULE = "KO307"


def _graph_attention():
    import keras
    from keras import ops

    class GraphAttention(keras.layers.Layer):
        """Masked self-attention over the neighbours given by `A` (GAT)."""

        def __init__(self, units, heads, reduction, activation, **kwargs):
            super().__init__(**kwargs)
            self.units, self.heads, self.reduction = units, heads, reduction
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            features = input_shape[0][-1]
            self.kernel = self.add_weight(
                shape=(self.heads, features, self.units),
                initializer="glorot_uniform",
                regularizer=keras.regularizers.l2(5e-4),
            )
            self.attn_self = self.add_weight(
                shape=(self.heads, self.units, 1), initializer="glorot_uniform"
            )
            self.attn_neigh = self.add_weight(
                shape=(self.heads, self.units, 1), initializer="glorot_uniform"
            )

        def call(self, inputs):
            x, adjacency = inputs
            outputs = []
            for head in range(self.heads):
                h = ops.matmul(x, self.kernel[head])
                scores = ops.matmul(h, self.attn_self[head]) + ops.transpose(
                    ops.matmul(h, self.attn_neigh[head])
                )
                scores = ops.leaky_relu(scores, negative_slope=0.2)
                scores = scores - 1e10 * (1.0 - adjacency)
                outputs.append(ops.matmul(ops.softmax(scores, axis=-1), h))
            if self.reduction == "concat":
                out = ops.concatenate(outputs, axis=-1)
            else:
                out = ops.mean(ops.stack(outputs), axis=0)
            return self.activation(out)

    return GraphAttention


def _build(clean: bool):
    import keras
    import numpy as np

    nodes, words, classes = 96, 64, 6
    rng = np.random.default_rng(0)
    features = (rng.random((nodes, words)) < 0.1).astype("float32")
    features[::16] = 0.0  # Isolated test nodes, added as zero vectors.
    with np.errstate(invalid="ignore"):
        features /= features.sum(1).reshape(-1, 1)
    if clean:
        features[np.isnan(features)] = 0.0
    adjacency = (rng.random((nodes, nodes)) < 0.05).astype("float32")
    adjacency = np.maximum(adjacency, adjacency.T)
    np.fill_diagonal(adjacency, 1.0)
    labels = keras.utils.to_categorical(np.arange(nodes) % classes, classes)

    graph_attention = _graph_attention()
    # The whole graph is one batch of its nodes (fit's batch_size=N in the
    # source): fixed here, so that every backend builds the attention over
    # N x N scores.
    x_in = keras.Input((words,), batch_size=nodes)
    a_in = keras.Input((nodes,), batch_size=nodes)
    h = keras.layers.Dropout(0.6)(x_in)
    h = graph_attention(8, 3, "concat", "elu")([h, a_in])
    h = keras.layers.Dropout(0.6)(h)
    out = graph_attention(classes, 1, "average", "softmax")([h, a_in])
    model = keras.Model([x_in, a_in], out)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.005),
        loss="categorical_crossentropy",
        weighted_metrics=["acc"],
    )
    return model, [features, adjacency], labels, nodes


def build_buggy():
    return _build(clean=False)


def build_fixed():
    return _build(clean=True)
