// A world map of visitors by country, drawn as inline SVG from world-atlas (Natural Earth, 1:110m)
// bundled at build time: no tile server, no request to anyone but our own API.
import { feature } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import codes from "i18n-iso-countries/codes.json";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 440;
// world-atlas names countries by ISO 3166-1 numeric code; our hits carry alpha-2 codes.
const alpha2 = new Map(codes.map(([a2, , numeric]) => [numeric, a2]));
let shapes;

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
}

// Equirectangular, cut at 60°S (Antarctica is left out) and 85°N.
const x = (lon) => ((lon + 180) / 360) * WIDTH;
const y = (lat) => ((85 - lat) / 145) * HEIGHT;

function ringPath(ring) {
  let d = "";
  let previous;
  for (const [lon, lat] of ring) {
    // A ring that crosses the antimeridian is broken there rather than drawn across the map.
    const jump = previous === undefined || Math.abs(lon - previous) > 180;
    d += (jump ? "M" : "L") + x(lon).toFixed(1) + "," + y(lat).toFixed(1);
    previous = lon;
  }
  return d + "Z";
}

function pathOf(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  return polygons.map((rings) => rings.map(ringPath).join("")).join("");
}

function countryShapes() {
  if (!shapes) {
    shapes = feature(world, world.objects.countries).features
      .filter((f) => f.id !== undefined && f.id !== "010")
      .map((f) => ({ code: alpha2.get(String(f.id).padStart(3, "0")) || "", name: f.properties.name, d: pathOf(f.geometry) }));
  }
  return shapes;
}

/** Draws (or redraws) the map into `container`: each country shaded by its share of the busiest country's visitors. */
export function drawMap(container, visitorsByCountry, count) {
  const max = Math.max(1, ...visitorsByCountry.values());
  const map = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "world-map", "aria-label": "Visitors by country (map; the table beside it lists the numbers)" });
  for (const shape of countryShapes()) {
    const visitors = visitorsByCountry.get(shape.code) || 0;
    const path = svg("path", { d: shape.d, "data-country": shape.code, fill: visitors ? `rgba(10, 88, 202, ${(0.15 + 0.85 * visitors / max).toFixed(3)})` : "#e6e9ee", stroke: "#fff", "stroke-width": "0.5" });
    const title = svg("title");
    title.textContent = `${shape.name}: ${count(visitors)} visitor${visitors === 1 ? "" : "s"}`;
    path.append(title);
    map.append(path);
  }
  container.replaceChildren(map);
}
