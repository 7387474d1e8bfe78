/**
 * A deterministic products CSV shaped like the real `products.csv`: header `name,sku,description`,
 * ~170 bytes a row, ~7% of rows repeating an earlier SKU in another letter case with new values,
 * many descriptions quoted over several lines. Written in chunks, so 2M rows take no memory.
 *
 *     deno run -A bench/products_csv.ts out.csv 500000
 */

/** Options for {@linkcode writeProductsCsv}. */
export interface ProductsCsvOptions {
  rows: number;
  seed?: number;
  /** Adds `price` and `active` columns. */
  withPriceAndActive?: boolean;
}

/** What was written. */
export interface ProductsCsvSummary {
  rows: number;
  bytes: number;
  /** SKUs counted case-insensitively: the number of products the file must leave. */
  distinctSkus: number;
}

/** mulberry32: a tiny, fast, seedable PRNG; the same seed always gives the same file. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "premium steel oak walnut compact wireless ergonomic durable classic modern vintage portable " +
  "organic cotton leather ceramic glass bamboo solar smart adjustable foldable waterproof heavy-duty " +
  "lightweight handmade stainless rechargeable modular deluxe essential travel outdoor kitchen office"
).split(" ");
const NOUNS = "chair lamp table kettle backpack speaker blender mug jacket drill monitor shelf bottle".split(
  " ",
);

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function flipCase(sku: string, random: () => number): string {
  const roll = random();
  if (roll < 0.4) return sku.toLowerCase();
  if (roll < 0.8) return sku.toUpperCase();
  return [...sku].map((c) => (random() < 0.5 ? c.toLowerCase() : c.toUpperCase())).join("");
}

/** Writes the CSV to `path`. */
export async function writeProductsCsv(
  path: string,
  options: ProductsCsvOptions,
): Promise<ProductsCsvSummary> {
  const random = randomSource(options.seed ?? 42);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(" ");

  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  const encoder = new TextEncoder();
  let bytes = 0;
  let buffer: string[] = [];
  let buffered = 0;
  const flush = async () => {
    const chunk = encoder.encode(buffer.join(""));
    bytes += chunk.byteLength;
    buffer = [];
    buffered = 0;
    await writer.write(chunk);
  };

  const seen = new Set<string>();
  const recent: string[] = [];
  buffer.push(options.withPriceAndActive ? "name,sku,description,price,active\n" : "name,sku,description\n");
  for (let i = 0; i < options.rows; i++) {
    let sku: string;
    if (recent.length > 0 && random() < 0.07) {
      sku = flipCase(pick(recent), random);
    } else {
      sku = `${pick(NOUNS).slice(0, 3).toUpperCase()}-${(100000 + i).toString(36).toUpperCase()}-${i % 97}`;
      if (recent.length < 50_000) recent.push(sku);
      else recent[Math.floor(random() * recent.length)] = sku;
    }
    seen.add(sku.toLowerCase());
    const name = `${pick(WORDS)} ${pick(WORDS)} ${pick(NOUNS)}`.replace(/^./, (c) => c.toUpperCase());
    let description = `${sentence(6 + Math.floor(random() * 9))}, ${sentence(4)}.`;
    if (random() < 0.35) description += `\n${sentence(6)}, "${pick(WORDS)}" edition.\n${sentence(3)}`;
    let line = `${csvField(name)},${csvField(sku)},${csvField(description)}`;
    if (options.withPriceAndActive) {
      line += `,${(random() * 500).toFixed(2)},${random() < 0.9 ? "true" : "false"}`;
    }
    buffer.push(line, "\n");
    buffered += line.length;
    if (buffered > 1 << 20) await flush();
  }
  await flush();
  await writer.close();
  return { rows: options.rows, bytes, distinctSkus: seen.size };
}

if (import.meta.main) {
  const [path, rows] = Deno.args;
  if (!path) throw new Error("usage: products_csv.ts OUT.csv [ROWS]");
  console.log(await writeProductsCsv(path, { rows: Number(rows ?? 500_000) }));
}
