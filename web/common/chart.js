// A horizontal bar chart as inline SVG (no library, no CDN), and the same numbers as a table:
// the chart is an image with a name (role="img", <title>) and the table is what screen readers read.
import { element } from "./forms.js";

const SVG = "http://www.w3.org/2000/svg";
const BAR_HEIGHT = 24;
const GAP = 8;
const LABEL_WIDTH = 210;
const WIDTH = 560;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ``rows``: [[label, value]…]; ``headings``: [label column, value column].
export function barChart(title, rows, headings) {
  const id = "chart-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-") + "-" + Math.random().toString(36).slice(2, 7);
  const height = Math.max(1, rows.length) * (BAR_HEIGHT + GAP) + GAP;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": id + "-title", width: WIDTH, height });
  chart.append(svg("title", { id: id + "-title" }, title));
  const largest = Math.max(1, ...rows.map(([, value]) => value));
  rows.forEach(([label, value], index) => {
    const y = GAP + index * (BAR_HEIGHT + GAP);
    const length = ((WIDTH - LABEL_WIDTH - 60) * value) / largest;
    chart.append(
      svg("text", { x: LABEL_WIDTH - 8, y: y + BAR_HEIGHT * 0.7, "text-anchor": "end" }, label.length > 24 ? label.slice(0, 23) + "…" : label),
      svg("rect", { class: "bar", x: LABEL_WIDTH, y, width: Math.max(length, value ? 2 : 0), height: BAR_HEIGHT }),
      svg("text", { x: LABEL_WIDTH + length + 6, y: y + BAR_HEIGHT * 0.7 }, String(value)),
    );
  });
  const table = element("table", {},
    element("caption", { text: title }),
    element("thead", {}, element("tr", {}, ...headings.map((text) => element("th", { scope: "col", text })))),
    element("tbody", {}, ...rows.map(([label, value]) =>
      element("tr", {}, element("th", { scope: "row", text: label }), element("td", { text: String(value) })))));
  return element("figure", { class: "stat-chart" }, chart, element("div", { class: "table-wrap" }, table));
}
