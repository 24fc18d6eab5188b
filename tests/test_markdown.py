"""The Markdown subset of the rule docs, rendered to HTML."""

from __future__ import annotations

import re

import pytest

from keras_ordering._markdown import markdown_to_html
from keras_ordering.lint.registry import all_rules

DOC = """\
Finds a `Dropout` before <BN>.

## Why is this bad?
Two lines of one
paragraph.

- first item, `code`
  continued here
- second item

```python
x = keras.layers.Dropout(0.3)(x)  # a < b
```
"""


def test_the_subset_renders():
    assert markdown_to_html(DOC).splitlines() == [
        "<p>Finds a <code>Dropout</code> before &lt;BN&gt;.</p>",
        "<h2>Why is this bad?</h2>",
        "<p>Two lines of one paragraph.</p>",
        "<ul><li>first item, <code>code</code> continued here</li>"
        "<li>second item</li></ul>",
        '<pre><code class="language-python">x = keras.layers.Dropout(0.3)(x)'
        "  # a &lt; b</code></pre>",
    ]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_doc_renders_without_markdown_left(rule):
    page = markdown_to_html(rule.docs())
    text = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    assert "<h2>" in page and "<pre><code" in page
    assert "```" not in page and not re.search(r"^#|>#", text, flags=re.M)
    assert "`" not in text  # Every inline code span was converted.
