"""The network as a Graphviz DOT graph, built from the design alone.

Like ``keras.utils.model_to_dot`` this returns the graph and leaves the drawing
to the caller (the app hands it to ``st.graphviz_chart``, which renders it in
the browser without a Graphviz binary).
"""

from __future__ import annotations

from html import escape

from designer.network import Network, Node, resolve
from designer.params import LayerCount, describe, summarize_network
from designer.validation import ensure_valid

STYLES = {
    "input": {"fillcolor": "#dbeafe", "color": "#1d4ed8"},
    "layer": {"fillcolor": "#ffffff", "color": "#334155"},
    "classification": {"fillcolor": "#ffedd5", "color": "#c2410c", "peripheries": "2"},
    "regression": {"fillcolor": "#ede9fe", "color": "#6d28d9", "peripheries": "2"},
    "unused": {"fillcolor": "#f1f5f9", "color": "#94a3b8", "fontcolor": "#64748b", "style": "rounded,filled,dashed"},
}


def design_to_dot(design: dict, font_size: int = 14, line_width: float = 1.0) -> str:
    """DOT source for a valid design."""
    return network_to_dot(resolve(ensure_valid(design)), font_size, line_width)


def network_to_dot(net: Network, font_size: int = 14, line_width: float = 1.0) -> str:
    """DOT source for a resolved network: a node per input, layer and head.

    ``line_width`` multiplies the width of every border and arrow (2 for a projector).
    """
    counts = {row.name: row for row in summarize_network(net).rows}
    lines = [
        "digraph network {",
        "  rankdir=TB; nodesep=0.3; ranksep=0.35; bgcolor=transparent;",
        f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize={font_size},'
        f" penwidth={1.5 * line_width:g}];",
        f'  edge [fontname="Helvetica", fontsize={font_size - 2}, color="#334155", fontcolor="#334155",'
        f" penwidth={1.3 * line_width:g}];",
    ]
    lines += [_node_line(node, counts.get(node.name)) for node in net.nodes]
    widths = {node.name: node.width for node in net.nodes}
    for node in net.nodes:
        for source in node.sources:
            style = "" if node.used else ', style=dashed, color="#94a3b8"'
            lines.append(f'  "{source}" -> "{node.name}" [label=" {widths[source]}"{style}];')
    lines.append("}")
    return "\n".join(lines)


def _style_of(node: Node) -> str:
    if not node.used:
        return "unused"
    if node.kind == "input":
        return "input"
    if node.is_head:
        return "classification" if node.width > 1 else "regression"
    return "layer"


def _node_line(node: Node, count: LayerCount | None) -> str:
    style = STYLES[_style_of(node)]
    label = [f"<b>{escape(node.name)}</b>", escape(describe(node))]
    if node.kind == "input":
        columns = node.entry["columns"]
        label += [escape(", ".join(columns[i : i + 2])) for i in range(0, len(columns), 2)]
    if count is None:
        label.append("not used: reaches no head")
    else:
        label.append(f"{count.output_shape} · {count.total:,} params")
    attributes = ", ".join(f'{key}="{value}"' for key, value in style.items())
    return f'  "{node.name}" [label=<{"<br/>".join(label)}>, {attributes}];'
