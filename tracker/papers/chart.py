"""A pack's one chart: where the actions stand, as a bar of the committee's terms,
with the same figures in words for its alternative text."""

import base64
from html import escape

# Distinct in greyscale too; the words beside each part carry the meaning.
SHADES = ["#b1b4b6", "#1d70b8", "#f47738", "#00703c", "#505a5f"]


def terms_chart(terms: list[tuple[str, int]]) -> tuple[str, str]:
    """A data: URL of an SVG bar of the terms, and its alternative text."""
    total = sum(count for _, count in terms)
    words = ", ".join(f"{count:,} {label.lower()}" for label, count in terms)
    alt = f"Bar chart of the {total:,} actions: {words}." if total else "No actions."
    width, height, x = 600, 150, 0.0
    parts = []
    for (_, count), shade in zip(terms, SHADES, strict=False):
        if not count:
            continue
        span = width * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{span:.1f}" height="40" fill="{shade}"/>'
        )
        x += span
    legend = []
    for row, ((label, count), shade) in enumerate(zip(terms, SHADES, strict=False)):
        y = 62 + row * 18
        legend.append(
            f'<rect x="0" y="{y - 12}" width="14" height="14" fill="{shade}"/>'
            f'<text x="22" y="{y}" font-family="Liberation Sans, Arial, sans-serif" '
            f'font-size="15">{escape(label)}: {count:,}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}{"".join(legend)}</svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), alt
