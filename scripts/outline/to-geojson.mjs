// Convert world-atlas countries TopoJSON to GeoJSON, keeping Syria and its
// neighbours (plus Cyprus). Usage: node to-geojson.mjs countries-10m.json out.geojson
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), "x.js"));
const { feature } = require("topojson-client");

const [src, out] = process.argv.slice(2);
const topo = JSON.parse(readFileSync(src, "utf8"));
// world-atlas keeps Natural Earth's ISO 3166-1 numeric code as the feature id.
const KEEP = {
  "760": ["SYR", "سوريا"],
  "792": ["TUR", "تركيا"],
  "368": ["IRQ", "العراق"],
  "400": ["JOR", "الأردن"],
  "422": ["LBN", "لبنان"],
  "376": ["ISR", "إسرائيل"],
  "275": ["PSE", "فلسطين"],
  "196": ["CYP", "قبرص"],
};
// Natural Earth's de facto units without an ISO code, kept so that the
// island is drawn whole.
const BY_NAME = {
  "N. Cyprus": [null, "شمال قبرص"],
  "Cyprus U.N. Buffer Zone": [null, "المنطقة العازلة الأممية في قبرص"],
};
const fc = feature(topo, topo.objects.countries);
const features = [];
for (const f of fc.features) {
  const name = f.properties.name;
  const hit = KEEP[f.id] || BY_NAME[name];
  if (!hit) continue;
  features.push({
    type: "Feature",
    properties: { name_en: name, name_ar: hit[1], iso_a3: hit[0] },
    geometry: f.geometry,
  });
}
writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.log(`kept ${features.length} features`);
