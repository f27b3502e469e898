// Builds a synthetic web-root tree for the sweep benchmark: sites with pages, scripts, styles, images,
// bin/ folders and uploads, in a realistic mix of sizes, from a seeded generator (same seed, same tree).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Bump when the tree changes, so a cached tree is rebuilt. */
export const TREE_VERSION = 2;

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Lines of the kinds a web root holds: mostly markup, prose, styles and client script; server code now and then.
const LINES = [
  '<div class="row"><div class="col-md-4">', '</div></div>', '<p>Our team ships orders within two business days to every region we serve.</p>',
  '<li><a href="/products/details?id=1042">Industrial fittings</a></li>', '<img src="/images/products/1042.jpg" alt="Fitting" width="320" height="240" />',
  '<h2 class="section-title">Latest news</h2>', '<meta name="viewport" content="width=device-width, initial-scale=1.0" />',
  '.container { margin: 0 auto; max-width: 1170px; padding: 0 15px; }', '.btn-primary:hover { background-color: #0b5ed7; border-color: #0a58ca; }',
  'function init() { var menu = document.getElementById("main-menu"); menu.classList.toggle("open"); }', '$(document).ready(function () { $(".carousel").carousel(); });',
  'for (var i = 0; i < items.length; i++) { total += items[i].price * items[i].qty; }', '<asp:Label runat="server" ID="lblTotal" CssClass="total" />',
  '<asp:HyperLink runat="server" NavigateUrl="~/Contact.aspx" Text="Contact us" />', '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>',
  '<td class="price">€ 24.90</td><td class="stock">In stock</td>', '<!-- footer -->', '<footer><p>&copy; Fabrikam Ltd. All rights reserved.</p></footer>',
  'protected void Page_Load(object sender, EventArgs e) { if (!IsPostBack) BindGrid(); }', 'string id = Request.QueryString["id"];',
  '<%= Server.HtmlEncode(Model.Title) %>', 'var json = JSON.parse(xhr.responseText);',
];



/** What the tree holds: file kinds with their share, extension, size range and content. */
const KINDS = [
  { share: 0.34, folder: '', ext: 'aspx', min: 400, max: 16_000, text: true },
  { share: 0.08, folder: 'Controls', ext: 'ascx', min: 300, max: 8_000, text: true },
  { share: 0.1, folder: 'Scripts', ext: 'js', min: 2_000, max: 120_000, text: true },
  { share: 0.06, folder: 'Content', ext: 'css', min: 1_000, max: 60_000, text: true },
  { share: 0.2, folder: 'images', ext: 'jpg', min: 3_000, max: 60_000, text: false },
  { share: 0.1, folder: 'images/icons', ext: 'png', min: 300, max: 6_000, text: false },
  { share: 0.08, folder: 'uploads/docs', ext: 'pdf', min: 10_000, max: 200_000, text: false },
  { share: 0.04, folder: 'bin', ext: 'dll', min: 20_000, max: 400_000, text: false, pe: true },
];

/** Writes `files` files under `root`; returns the count and bytes written. A few planted web shells (our samples) are included. */
export function generateTree(root, { files = 50_000, seed = 1, plant = [] } = {}) {
  const random = prng(seed);
  const sites = 20;
  let bytes = 0;
  let written = 0;
  const made = new Set();
  const textBlock = Buffer.from(Array.from({ length: 4096 }, () => LINES[Math.floor(random() * LINES.length)]).join('\n'));
  for (let i = 0; i < files - plant.length; i += 1) {
    let pick = random();
    const kind = KINDS.find((k) => (pick -= k.share) < 0) ?? KINDS[0];
    const site = `site${String(i % sites).padStart(2, '0')}`;
    const sub = `part${Math.floor(i / sites) % 50}`;
    const folder = path.join(root, site, kind.folder, sub);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    // Sizes skew small, as on real sites: the square of a uniform number.
    const size = Math.floor(kind.min + (kind.max - kind.min) * random() ** 2);
    let data;
    if (kind.text) {
      const start = Math.floor(random() * (textBlock.length - 1));
      data = Buffer.alloc(size);
      for (let o = 0; o < size; o += textBlock.length - start) textBlock.copy(data, o, start);
    } else {
      data = Buffer.alloc(size);
      for (let o = 0; o < size; o += 4) data.writeUInt32LE(Math.floor(random() * 4294967296) >>> 0, Math.min(o, size - 4));
      if (kind.pe) data.write('MZ', 0, 'latin1');
    }
    writeFileSync(path.join(folder, `f${i}.${kind.ext}`), data);
    bytes += size;
    written += 1;
  }
  const planted = path.join(root, 'site00', 'uploads', 'planted');
  mkdirSync(planted, { recursive: true });
  plant.forEach((sample, n) => {
    const target = path.join(planted, `p${n}${path.extname(sample.name)}`);
    writeFileSync(target, sample.data);
    bytes += sample.data.length;
    written += 1;
  });
  return { files: written, bytes };
}
