/**
 * A realistic, deterministic data set for the local app: products in about twenty categories,
 * customers with unique emails, and a month of orders whose statuses, timestamps and versions follow
 * the lifecycle the workflows enforce.
 *
 * Pure: the same options give the same data, to the byte. Ids are hashed from the random seed, the
 * requested counts, the kind of entity and its position, so the same command writes the same items
 * again (an unchanged put leaves no stream record), and any other command writes a separate data set
 * beside the first rather than half-overwriting it (which would leave customers' totals that no
 * longer match their orders). Instants are relative to `now`, so statuses do not depend on when it runs.
 */
import { createHash } from 'node:crypto';
import type { Customer, EmailMarker, Order, OrderLine, OrderStatus, Product } from '../../lambdas/model/entities';
import {
  customerItem,
  emailMarkerItem,
  normalizeEmail,
  orderItem,
  orderLineItem,
  productItem,
} from '../../lambdas/model/keys';
import { DEFAULT_STATUS_SHARDS } from '../../lambdas/model/table-design';

export interface DatasetOptions {
  /** Number of products. */
  readonly products: number;
  /** Number of customers, each with an email marker. */
  readonly customers: number;
  /** Number of orders, each with one to five lines. */
  readonly orders: number;
  /** Seed of the pseudo-random generator: same seed and counts, same data. */
  readonly randomSeed: number;
  /** The instant the month of orders leads up to; every instant in the data set is before it. */
  readonly now: Date | string;
}

/** What `npm run seed` writes unless told otherwise. */
export const DEFAULT_DATASET = { products: 2_000, customers: 1_000, orders: 5_000, randomSeed: 1 } as const;

/** How far back orders go. */
export const ORDER_WINDOW_DAYS = 30;

/**
 * The largest order total generated: the fulfilment workflow's stand-in payment provider declines
 * orders above its card limit (`CARD_LIMIT_CENTS`, 5,000.00 by default), so a larger order could
 * never have been paid.
 */
export const MAX_ORDER_TOTAL_CENTS = 500_000;

export interface Dataset {
  readonly products: readonly Product[];
  readonly customers: readonly Customer[];
  readonly emailMarkers: readonly EmailMarker[];
  /** Oldest first. */
  readonly orders: readonly Order[];
  readonly orderLines: readonly OrderLine[];
  /** Category slugs in use, as in `/categories/{category}/products`. */
  readonly categories: readonly string[];
}

/** A product category: how its products are named and priced. */
interface Category {
  readonly slug: string;
  /** SKU prefix. */
  readonly code: string;
  /** Makers (publishers, for books); fictional. */
  readonly brands: readonly string[];
  readonly nouns: readonly string[];
  readonly variants: readonly string[];
  /** Whole currency units, inclusive. */
  readonly price: readonly [number, number];
  readonly blurbs: readonly string[];
}

/** First words of book titles: The <word> <noun>. */
const TITLE_WORDS = ['Quiet', 'Lost', 'Northern', 'Hidden', 'Last', 'Silver', 'Long', 'Winter', 'Open', 'Distant'];

const COLOURS = ['black', 'white', 'navy', 'grey', 'red', 'green', 'sand', 'blue'];
const SIZES = ['S', 'M', 'L', 'XL'];

const CATEGORIES: readonly Category[] = [
  {
    slug: 'books',
    code: 'BOOK',
    // Book titles are made of TITLE_WORDS and these nouns; the brands are publishers.
    brands: ['Harbour Press', 'Lantern Books', 'Northfield', 'Quillstone', 'Juniper House'],
    nouns: ['Harbour', 'Garden', 'Orchard', 'Letters', 'River', 'Lighthouse', 'Atlas', 'Season', 'Archive', 'Road'],
    variants: ['paperback', 'hardcover', 'large print'],
    price: [8, 45],
    blurbs: ['A novel readers finish in one sitting.', 'Shortlisted for three prizes.', 'With a new afterword.'],
  },
  {
    slug: 'kitchen',
    code: 'KIT',
    brands: ['Hearthwell', 'Copperleaf', 'Saltbox', 'Brightforge', 'Mesa'],
    nouns: ['skillet', 'saucepan', 'chef knife', 'cutting board', 'dutch oven', 'colander', 'whisk', 'wok', 'kettle'],
    variants: ['20 cm', '24 cm', '28 cm'],
    price: [8, 220],
    blurbs: ['Dishwasher safe.', 'Works on gas, electric and induction hobs.', 'Built for everyday cooking.'],
  },
  {
    slug: 'garden',
    code: 'GDN',
    brands: ['Greenacre', 'Thistle & Co', 'Fernhill', 'Rootstock', 'Meadowbrook'],
    nouns: ['pruning shears', 'hose reel', 'planter', 'rake', 'watering can', 'trowel', 'raised bed', 'bird feeder'],
    variants: ['small', 'medium', 'large'],
    price: [6, 260],
    blurbs: ['Weatherproof and rust resistant.', 'Made from responsibly sourced wood.', 'Easy to store over winter.'],
  },
  {
    slug: 'electronics',
    code: 'ELEC',
    brands: ['Voltline', 'Nimbus', 'Sonora', 'Kestrel', 'Arclight'],
    nouns: ['earbuds', 'speaker', 'power bank', 'headphones', 'charger', 'e-reader', 'action camera', 'smartwatch'],
    variants: COLOURS.slice(0, 4),
    price: [15, 450],
    blurbs: ['Up to 30 hours of battery life.', 'USB-C, cable included.', 'Pairs with phones, tablets and laptops.'],
  },
  {
    slug: 'computers',
    code: 'COMP',
    brands: ['Keystone', 'Bitwise', 'Meridian', 'Ostrava', 'Pixelcraft'],
    nouns: ['keyboard', 'mouse', 'monitor', 'webcam', 'docking station', 'laptop stand', 'router', 'SSD'],
    variants: ['1 TB', '2 TB', '24-inch', '27-inch', 'UK layout', 'US layout'],
    price: [20, 900],
    blurbs: ['Plug and play on Windows, macOS and Linux.', 'Three-year warranty.', 'Firmware updates over USB.'],
  },
  {
    slug: 'toys',
    code: 'TOY',
    brands: ['Tumbletown', 'Little Fox', 'Brickhaven', 'Pip & Pop', 'Kitewood'],
    nouns: ['train set', 'building blocks', 'puzzle', 'teddy bear', 'race car', 'kite', 'dollhouse', 'marble run'],
    variants: ['ages 3+', 'ages 6+', 'ages 8+'],
    price: [6, 140],
    blurbs: ['Non-toxic, child-safe finish.', 'Hours of screen-free play.', 'Tested to EN 71.'],
  },
  {
    slug: 'sports',
    code: 'SPRT',
    brands: ['Stridewell', 'Apex', 'Corebound', 'Fieldhouse', 'Pacer'],
    nouns: ['yoga mat', 'dumbbell set', 'jump rope', 'football', 'tennis racket', 'resistance bands', 'bike helmet'],
    variants: SIZES,
    price: [8, 300],
    blurbs: ['For home and gym workouts.', 'Used by club coaches.', 'Wipes clean after every session.'],
  },
  {
    slug: 'outdoor',
    code: 'OUT',
    brands: ['Trailmark', 'Fjellsen', 'Summit Line', 'Basecamp', 'Northwind'],
    nouns: ['tent', 'sleeping bag', 'headlamp', 'backpack', 'camping stove', 'water filter', 'hammock', 'poles'],
    variants: ['25 L', '40 L', '3-season', '4-season'],
    price: [12, 480],
    blurbs: ['Packs down small.', 'Field-tested on long-distance trails.', 'Repair kit included.'],
  },
  {
    slug: 'clothing',
    code: 'CLO',
    brands: ['Alder & Oak', 'Tidewater', 'Woolhouse', 'Linea', 'Common Thread'],
    nouns: ['T-shirt', 'hoodie', 'jacket', 'chinos', 'sweater', 'rain coat', 'shirt', 'beanie', 'socks'],
    variants: SIZES.flatMap((size) => COLOURS.slice(0, 3).map((colour) => `${colour}, ${size}`)),
    price: [9, 260],
    blurbs: ['Machine washable at 30 °C.', 'Made in a fair-wear certified factory.', 'True to size.'],
  },
  {
    slug: 'shoes',
    code: 'SHOE',
    brands: ['Stepwell', 'Cobble & Co', 'Rambler', 'Soleil', 'Trailhead'],
    nouns: ['sneakers', 'boots', 'running shoes', 'sandals', 'loafers', 'slippers', 'hiking boots'],
    variants: ['EU 38', 'EU 40', 'EU 42', 'EU 44', 'EU 46'],
    price: [25, 240],
    blurbs: ['Resoleable.', 'Removable insole.', 'Free returns within 30 days.'],
  },
  {
    slug: 'beauty',
    code: 'BTY',
    brands: ['Dewdrop', 'Lumen', 'Botanica', 'Clearwater', 'Velour'],
    nouns: ['face cream', 'serum', 'sunscreen', 'shampoo', 'lip balm', 'body lotion', 'cleanser', 'hand cream'],
    variants: ['50 ml', '100 ml', '250 ml'],
    price: [4, 80],
    blurbs: ['Dermatologically tested.', 'Vegan and cruelty free.', 'In a recyclable bottle.'],
  },
  {
    slug: 'health',
    code: 'HLTH',
    brands: ['Wellspring', 'Carewell', 'Vitalis', 'Calmora', 'Medline Home'],
    nouns: ['thermometer', 'first-aid kit', 'pill organiser', 'heat pack', 'massage ball', 'pillow', 'scale'],
    variants: ['single', 'two-pack'],
    price: [5, 150],
    blurbs: ['Easy to read display.', 'Fits in a glovebox.', 'Batteries included.'],
  },
  {
    slug: 'home-decor',
    code: 'DEC',
    brands: ['Umber', 'Halcyon', 'Willow & Wick', 'Terrace', 'Lumière'],
    nouns: ['cushion', 'candle', 'vase', 'throw', 'mirror', 'table lamp', 'picture frame', 'rug', 'wall clock'],
    variants: COLOURS.slice(3),
    price: [7, 350],
    blurbs: ['Each piece is slightly different.', 'Designed in a small studio.', 'Ships gift-wrapped on request.'],
  },
  {
    slug: 'furniture',
    code: 'FURN',
    brands: ['Oakhurst', 'Nordform', 'Loftline', 'Cabinetry Co', 'Hallmark Joinery'],
    nouns: ['desk', 'bookcase', 'armchair', 'dining chair', 'side table', 'bench', 'sofa', 'bed frame', 'shelf'],
    variants: ['natural', 'black', 'white'],
    price: [45, 950],
    blurbs: ['Assembles in under an hour.', 'Solid wood, oiled finish.', 'Delivered to the room of your choice.'],
  },
  {
    slug: 'stationery',
    code: 'STAT',
    brands: ['Inkwell', 'Papermill', 'Scribe', 'Foliant', 'Notabene'],
    nouns: ['notebook', 'pen', 'planner', 'sketchbook', 'ink set', 'pencil case', 'desk organiser', 'envelopes'],
    variants: ['blue ink', 'black ink', '80 gsm', '120 gsm'],
    price: [3, 90],
    blurbs: ['Fountain-pen friendly paper.', 'Lies flat when open.', 'Acid-free pages.'],
  },
  {
    slug: 'pet-supplies',
    code: 'PET',
    brands: ['Pawsome', 'Barkley', 'Whisker & Tail', 'Fetch', 'Snout'],
    nouns: ['dog bed', 'cat tree', 'leash', 'food bowl', 'water fountain', 'scratching post', 'harness', 'toy'],
    variants: ['small', 'medium', 'large'],
    price: [5, 220],
    blurbs: ['Vet recommended.', 'Machine-washable cover.', 'Tested by our own office dogs.'],
  },
  {
    slug: 'grocery',
    code: 'GRO',
    brands: ['Orchard Lane', 'Stonemill', 'Goldhive', 'Roastery Row', 'Olivia'],
    nouns: ['coffee beans', 'olive oil', 'green tea', 'honey', 'pasta', 'dark chocolate', 'sea salt', 'granola'],
    variants: ['250 g', '500 g', '1 kg'],
    price: [2, 40],
    blurbs: ['Best before date at least six months out.', 'From a family producer.', 'Fair-trade certified.'],
  },
  {
    slug: 'music',
    code: 'MUS',
    brands: ['Resonance', 'Cadenza', 'Tonewood', 'Fretline', 'Studio Nine'],
    nouns: ['guitar', 'ukulele', 'keyboard', 'microphone', 'metronome', 'guitar strings', 'drum pad', 'capo'],
    variants: ['natural', 'sunburst', 'black'],
    price: [6, 850],
    blurbs: ['Set up and tuned before shipping.', 'Gig bag included.', 'Loved by teachers.'],
  },
  {
    slug: 'tools',
    code: 'TOOL',
    brands: ['Ironclad', 'Torque', 'Benchmark', 'Grainger & Sons', 'Plumbline'],
    nouns: ['drill', 'screwdriver set', 'tape measure', 'spirit level', 'socket set', 'hammer', 'stud finder'],
    variants: ['12 V', '18 V', '20-piece', '40-piece'],
    price: [6, 420],
    blurbs: ['Lifetime warranty on hand tools.', 'Case included.', 'Spare parts available.'],
  },
  {
    slug: 'baby',
    code: 'BABY',
    brands: ['Little Nest', 'Cuddle Co', 'Tiny Steps', 'Moonbeam', 'Snugglebug'],
    nouns: ['swaddle', 'high chair', 'bottle set', 'play mat', 'baby carrier', 'changing bag', 'night light'],
    variants: ['0-6 months', '6-12 months', 'newborn'],
    price: [6, 380],
    blurbs: ['Free from BPA.', 'Meets EU safety standards.', 'Washable at 60 °C.'],
  },
];

const FIRST_NAMES = (
  'Ada Amara Ana Arjun Ben Bilal Carmen Chen Chloe Daniel Dmitri Elena Emma Fatima Felix Grace Hana Hugo Ines ' +
  'Isaac Jamal Jana Kai Kenji Laila Leo Lucia Maya Mateo Mei Nadia Noah Olga Omar Priya Rafael Rosa Sami Sara Sofia ' +
  'Tariq Tom Uma Victor Wei Yara Yusuf Zoe'
).split(' ');
const LAST_NAMES = (
  'Adeyemi Alvarez Andersen Banerjee Becker Brown Costa Dubois Eriksson Fischer Garcia Haddad Ivanova Jensen Kaur ' +
  'Kim Kowalski Lee Lopez Mbeki Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Patel Perez Rossi Santos Schmidt ' +
  'Silva Singh Smith Suzuki Tanaka Torres Wagner Walsh Wang Weber Wilson Yilmaz Zhang'
).split(' ');
/** Reserved example domains (RFC 2606): no mail can ever reach a real person. */
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Relative order volume per UTC hour: quiet at night, busiest in the evening. */
const HOURLY_WEIGHT = [
  0.25, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.45, 0.6, 0.7, 0.75, 0.8, 0.85, 0.8, 0.75, 0.75, 0.8, 0.85, 0.95, 1, 1, 0.9,
  0.7, 0.45,
];

/** mulberry32: a small, fast 32-bit generator, plenty for test data. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Draws on top of one generator. */
class Draw {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** In [0, 1). */
  unit(): number {
    return this.next();
  }
  /** A whole number from `min` to `max` inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }
  /** An index below `n`, the low ones likelier: with exponent 1.5, index i with probability ∝ i^(-1/3). */
  skewed(n: number, exponent: number): number {
    return Math.floor(n * this.next() ** exponent);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Log-uniform in [min, max]: as many values from 10 to 100 as from 100 to 1,000. */
  logUniform(min: number, max: number): number {
    return min * (max / min) ** this.next();
  }
  /** One of `values`, by `weights` (same length). */
  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    let rest = this.next() * weights.reduce((sum, w) => sum + w, 0);
    for (let i = 0; i < values.length; i++) {
      rest -= weights[i] ?? 0;
      if (rest < 0) return values[i] as T;
    }
    return values[values.length - 1] as T;
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `length` Crockford base32 characters of a SHA-256 of `text`: stable, and collision-free in practice. */
function hashed(text: string, length: number): string {
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      bits -= 5;
      out += CROCKFORD[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
    if (out.length === length) break;
  }
  return out;
}

/** A 32-bit seed for one stream of draws. */
const seedOf = (text: string): number => createHash('sha256').update(text).digest().readUInt32BE(0);

const iso = (ms: number): string => new Date(ms).toISOString();

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number of at least ${min}; got ${value}`);
  }
}

/** A price in cents as shops set them: mostly ending in .99, some in .49, a few round. */
function retailPrice(draw: Draw, [min, max]: readonly [number, number]): number {
  const units = Math.min(max, Math.floor(draw.logUniform(min, max + 1)));
  return units * 100 - draw.weighted([1, 51, 0], [6, 2, 1]);
}

function generateProducts(tag: string, count: number): Product[] {
  const draw = new Draw(seedOf(`${tag}:products`));
  const skus = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length] as Category;
    let sku = `${category.code}-${hashed(`${tag}:product:${i}`, 8)}`;
    // Eight base32 characters: a repeat is a one-in-a-billion event, but a key must never repeat.
    for (let n = 1; skus.has(sku); n++) sku = `${category.code}-${hashed(`${tag}:product:${i}:${n}`, 8)}`;
    skus.add(sku);
    const brand = draw.pick(category.brands);
    const noun = draw.pick(category.nouns);
    const variant = draw.pick(category.variants);
    const first = draw.int(0, category.blurbs.length - 1);
    const blurbs = `${category.blurbs[first]} ${category.blurbs[(first + 1) % category.blurbs.length]}`;
    const title = `The ${draw.pick(TITLE_WORDS)} ${noun}`;
    const book = category.slug === 'books';
    const withVariant = book || draw.chance(0.6);
    const name = `${book ? title : `${brand} ${noun}`}${withVariant ? ` (${variant})` : ''}`;
    const opening = book
      ? `${title}, ${variant}, from ${brand}.`
      : `${noun.charAt(0).toUpperCase()}${noun.slice(1)} by ${brand}.`;
    return {
      sku,
      name,
      category: category.slug,
      priceCents: retailPrice(draw, category.price),
      stock: draw.int(50, 500),
      description: `${opening} ${blurbs}`,
    };
  });
}

interface CustomerDraft {
  readonly customerId: string;
  readonly email: string;
  readonly name: string;
  readonly marketingOptIn: boolean;
  readonly createdAtMs: number;
  /** How often the customer orders, relative to others: 0 for those who have not ordered this month. */
  readonly activity: number;
}

function emailOf(draw: Draw, first: string, last: string): string {
  const f = first.toLowerCase();
  const l = last.toLowerCase();
  const local = draw.pick([`${f}.${l}`, `${f}${l}`, `${f[0]}.${l}`, `${f}_${l}`, `${l}.${f}`]);
  const number = draw.chance(0.8) ? String(draw.int(1, 9_999)) : '';
  return normalizeEmail(`${local}${number}@${draw.pick(EMAIL_DOMAINS)}`);
}

function generateCustomers(tag: string, count: number, nowMs: number): CustomerDraft[] {
  const draw = new Draw(seedOf(`${tag}:customers`));
  const emails = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    const first = draw.pick(FIRST_NAMES);
    const last = draw.pick(LAST_NAMES);
    let email = emailOf(draw, first, last);
    while (emails.has(email)) email = emailOf(draw, first, last);
    emails.add(email);
    // Most customers have been around for up to two years; some signed up this month.
    const createdAtMs = draw.chance(0.85)
      ? nowMs - ORDER_WINDOW_DAYS * DAY - Math.floor(draw.unit() * 700 * DAY)
      : nowMs - HOUR - Math.floor(draw.unit() * (ORDER_WINDOW_DAYS * DAY - HOUR));
    return {
      customerId: hashed(`${tag}:customer:${i}`, 26),
      email,
      name: `${first} ${last}`,
      marketingOptIn: draw.chance(0.35),
      createdAtMs,
      activity: draw.weighted([0, 1, 3, 8], [10, 67, 20, 3]),
    };
  });
}

/** An instant in [fromMs, toMs), denser in busy hours of the day. */
function orderInstant(draw: Draw, fromMs: number, toMs: number): number {
  let at = fromMs + Math.floor(draw.unit() * (toMs - fromMs));
  for (let tries = 0; tries < 8; tries++) {
    if (draw.chance(HOURLY_WEIGHT[new Date(at).getUTCHours()] ?? 1)) break;
    at = fromMs + Math.floor(draw.unit() * (toMs - fromMs));
  }
  return at;
}

interface Step {
  readonly status: OrderStatus;
  readonly ms: number;
}

/**
 * The statuses an order placed at `placedMs` has been through by `nowMs`: each milestone is drawn
 * as a delay after the one before, and the order has reached those that have passed. Some orders are
 * cancelled while still PLACED or PAID, the only statuses the cancel workflow accepts.
 */
function orderHistory(draw: Draw, placedMs: number, nowMs: number): Step[] {
  // Most cards clear in minutes; some payments (bank transfers) take up to a day.
  const paidMs = placedMs + (draw.chance(0.9) ? draw.int(MINUTE, 30 * MINUTE) : draw.int(2 * HOUR, DAY));
  const shippedMs = paidMs + draw.int(4 * HOUR, 2 * DAY);
  const deliveredMs = shippedMs + draw.int(DAY, 5 * DAY);
  // Cancelled at some point before shipping, most often early on.
  const cancelMs = draw.chance(0.06) ? placedMs + Math.floor(draw.unit() ** 2 * (shippedMs - placedMs)) : undefined;

  const placed: Step = { status: 'PLACED', ms: placedMs };
  if (cancelMs !== undefined && cancelMs < nowMs) {
    const paid: Step[] = paidMs <= cancelMs ? [{ status: 'PAID', ms: paidMs }] : [];
    return [placed, ...paid, { status: 'CANCELLED', ms: cancelMs }];
  }
  const milestones: Step[] = [
    { status: 'PAID', ms: paidMs },
    { status: 'SHIPPED', ms: shippedMs },
    { status: 'DELIVERED', ms: deliveredMs },
  ];
  return [placed, ...milestones.filter((step) => step.ms < nowMs)];
}

function orderLinesOf(draw: Draw, orderId: string, customerId: string, products: readonly Product[]): OrderLine[] {
  const wanted = Math.min(products.length, draw.weighted([1, 2, 3, 4, 5], [45, 25, 15, 10, 5]));
  const chosen = new Set<number>();
  while (chosen.size < wanted) chosen.add(draw.skewed(products.length, 1.5));
  const lines = [...chosen].map((index) => {
    const product = products[index] as Product;
    return {
      orderId,
      customerId,
      sku: product.sku,
      quantity: draw.weighted([1, 2, 3, 4, 5], [70, 20, 7, 2, 1]),
      unitPriceCents: product.priceCents,
    };
  });
  const total = () => lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  // Keep within what the payment step would accept: fewer units, then fewer lines.
  for (const line of lines) if (total() > MAX_ORDER_TOTAL_CENTS) line.quantity = 1;
  while (total() > MAX_ORDER_TOTAL_CENTS && lines.length > 1) lines.pop();
  return lines;
}

/** Picks customers in proportion to their activity (every customer alike if none is active). */
function buyerPicker(draw: Draw, customers: readonly CustomerDraft[]): () => CustomerDraft {
  const anyActive = customers.some((c) => c.activity > 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const customer of customers) {
    sum += anyActive ? customer.activity : 1;
    cumulative.push(sum);
  }
  return () => {
    const target = draw.unit() * sum;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    return customers[low] as CustomerDraft;
  };
}

function generateOrders(
  tag: string,
  count: number,
  nowMs: number,
  products: readonly Product[],
  customers: readonly CustomerDraft[],
): { orders: Order[]; lines: OrderLine[] } {
  const draw = new Draw(seedOf(`${tag}:orders`));
  const windowStartMs = nowMs - ORDER_WINDOW_DAYS * DAY;
  const buyer = buyerPicker(draw, customers);
  const drafts = Array.from({ length: count }, (_, i) => {
    const customer = buyer();
    const orderId = hashed(`${tag}:order:${i}`, 26);
    const placedMs = orderInstant(draw, Math.max(windowStartMs, customer.createdAtMs + MINUTE), nowMs);
    const lines = orderLinesOf(draw, orderId, customer.customerId, products);
    const steps = orderHistory(draw, placedMs, nowMs);
    const when = (status: OrderStatus) => steps.find((step) => step.status === status)?.ms;
    const current = steps[steps.length - 1] as Step;
    const [paid, shipped, delivered, cancelled] = (['PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const).map(when);
    const order: Order = {
      orderId,
      customerId: customer.customerId,
      status: current.status,
      placedAt: iso(placedMs),
      statusSince: iso(current.ms),
      orderTotalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      lineCount: lines.length,
      // Placing writes version 1, and every change after it adds one.
      version: steps.length,
      ...(paid === undefined ? {} : { paidAt: iso(paid) }),
      ...(shipped === undefined ? {} : { shippedAt: iso(shipped) }),
      ...(delivered === undefined ? {} : { deliveredAt: iso(delivered) }),
      ...(cancelled === undefined ? {} : { cancelledAt: iso(cancelled) }),
    };
    return { order, lines };
  });
  drafts.sort(
    (a, b) => a.order.placedAt.localeCompare(b.order.placedAt) || a.order.orderId.localeCompare(b.order.orderId),
  );
  return { orders: drafts.map((d) => d.order), lines: drafts.flatMap((d) => d.lines) };
}

/** Generate the data set. Throws RangeError for counts that are not whole numbers, or orders with nothing to order. */
export function generateDataset(options: DatasetOptions): Dataset {
  assertCount('products', options.products, 0);
  assertCount('customers', options.customers, 0);
  assertCount('orders', options.orders, 0);
  if (!Number.isInteger(options.randomSeed) || options.randomSeed < 0 || options.randomSeed > 0xffffffff) {
    throw new RangeError(`randomSeed must be a whole number from 0 to ${0xffffffff}; got ${options.randomSeed}`);
  }
  if (options.orders > 0 && (options.products === 0 || options.customers === 0)) {
    throw new RangeError('orders need at least one product and one customer');
  }
  const nowMs = new Date(options.now).getTime();
  if (Number.isNaN(nowMs)) throw new RangeError(`now must be a date; got ${String(options.now)}`);

  const tag = [options.randomSeed, options.products, options.customers, options.orders].join('/');
  const products = generateProducts(tag, options.products);
  const drafts = generateCustomers(tag, options.customers, nowMs);
  const { orders, lines } = generateOrders(tag, options.orders, nowMs, products, drafts);

  // The order workflows keep these totals: placing adds one order and its total; cancelling takes
  // the total back out of the lifetime value but leaves the order counted.
  const totals = new Map(drafts.map((c) => [c.customerId, { orderCount: 0, lifetimeValueCents: 0 }]));
  for (const order of orders) {
    const total = totals.get(order.customerId) as { orderCount: number; lifetimeValueCents: number };
    total.orderCount += 1;
    if (order.status !== 'CANCELLED') total.lifetimeValueCents += order.orderTotalCents;
  }
  const customers: Customer[] = drafts.map(({ createdAtMs, activity, ...customer }) => ({
    ...customer,
    ...(totals.get(customer.customerId) as { orderCount: number; lifetimeValueCents: number }),
    createdAt: iso(createdAtMs),
    version: 1,
  }));

  return {
    products,
    customers,
    emailMarkers: customers.map((c) => ({ email: c.email, customerId: c.customerId })),
    orders,
    orderLines: lines,
    categories: [...new Set(products.map((p) => p.category))],
  };
}

/**
 * A cancelled order as it stood just before it was cancelled (PAID if it had been paid, else
 * PLACED), which is what placing and paying it wrote.
 */
export function orderBeforeCancellation(order: Order): Order {
  if (order.status !== 'CANCELLED') throw new RangeError(`order ${order.orderId} is ${order.status}, not CANCELLED`);
  const { cancelledAt, ...before } = order;
  return {
    ...before,
    status: order.paidAt === undefined ? 'PLACED' : 'PAID',
    statusSince: order.paidAt ?? order.placedAt,
    version: order.version - 1,
  };
}

/** A stored item, as the model's item builders make it. */
export type SeedItem = Record<string, unknown>;

/** The data set as table items, in the groups the seeding writes one after another. */
export interface SeedItems {
  readonly products: readonly SeedItem[];
  /** Each customer followed by its email marker. */
  readonly customers: readonly SeedItem[];
  readonly orderLines: readonly SeedItem[];
  /**
   * The cancelled orders as they stood before cancelling. Written first (only where absent), then
   * overwritten by the cancelled order, so the stream shows a placement and then a cancellation,
   * and the daily sales built from it come out net of cancellations.
   */
  readonly ordersBeforeCancellation: readonly SeedItem[];
  /** Order headers, current status. */
  readonly orders: readonly SeedItem[];
}

/** Every item of the data set, built by the model's item builders, so each is what the app writes. */
export function seedItemsOf(dataset: Dataset, shardCount: number = DEFAULT_STATUS_SHARDS): SeedItems {
  return {
    products: dataset.products.map(productItem),
    customers: dataset.customers.flatMap((customer) => [
      customerItem(customer),
      emailMarkerItem({ email: customer.email, customerId: customer.customerId }),
    ]),
    orderLines: dataset.orderLines.map(orderLineItem),
    ordersBeforeCancellation: dataset.orders
      .filter((order) => order.status === 'CANCELLED')
      .map((order) => orderItem(orderBeforeCancellation(order), shardCount)),
    orders: dataset.orders.map((order) => orderItem(order, shardCount)),
  };
}
