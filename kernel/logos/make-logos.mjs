// Draws the kernel's logo (a white nabla, ∇, on TypeScript blue) as SVG and as the two PNG
// sizes Jupyter looks for, with nothing but Node: the shapes are simple enough to rasterise
// by hand (4×4 supersampling) and a PNG is a zlib stream with CRCs.
//
//   node kernel/logos/make-logos.mjs   # rewrites logo-svg.svg, logo-32x32.png, logo-64x64.png

import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

// Geometry in a 64×64 box, shared by the SVG and the rasteriser.
const BOX = 64;
const RADIUS = 12;
const BLUE = [0x31, 0x78, 0xc6];
const OUTER = [
  [12, 16],
  [52, 16],
  [32, 52],
];
const INNER = [
  [21.5, 21.5],
  [42.5, 21.5],
  [32, 40.5],
];

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 ${BOX} ${BOX}">
  <title>tsgrad</title>
  <rect width="${BOX}" height="${BOX}" rx="${RADIUS}" fill="#3178c6"/>
  <path fill="#ffffff" fill-rule="evenodd" d="M${OUTER.map((p) => p.join(" ")).join(" L")} Z M${INNER.map((p) => p.join(" ")).join(" L")} Z"/>
</svg>
`;

function insideRoundedBox(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), BOX - RADIUS);
  const cy = Math.min(Math.max(y, RADIUS), BOX - RADIUS);
  return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2 && x >= 0 && y >= 0 && x <= BOX && y <= BOX;
}

function insideTriangle(x, y, [a, b, c]) {
  const side = (p, q) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const s1 = side(a, b),
    s2 = side(b, c),
    s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

/** RGBA pixels of the logo at `size`×`size`. */
function rasterise(size) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let box = 0,
        white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) * BOX) / size;
          const y = ((py + (sy + 0.5) / samples) * BOX) / size;
          if (!insideRoundedBox(x, y)) continue;
          box++;
          if (insideTriangle(x, y, OUTER) && !insideTriangle(x, y, INNER)) white++;
        }
      }
      const coverage = box / samples ** 2;
      const mix = box === 0 ? 0 : white / box;
      const at = (py * size + px) * 4;
      for (let ch = 0; ch < 3; ch++) pixels[at + ch] = Math.round(BLUE[ch] * (1 - mix) + 255 * mix);
      pixels[at + 3] = Math.round(coverage * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** PNG file bytes for RGBA `pixels` (8-bit, no interlace, filter 0 on every row). */
function encodePng(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

writeFileSync(join(here, "logo-svg.svg"), svg);
for (const size of [32, 64]) writeFileSync(join(here, `logo-${size}x${size}.png`), encodePng(size, rasterise(size)));
console.log("wrote logo-svg.svg, logo-32x32.png, logo-64x64.png");
