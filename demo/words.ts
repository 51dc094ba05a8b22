/**
 * The built-in word lists the demo shop is made of. Small on purpose (no faker, no data files),
 * but with what real shop data has: accents and non-Latin letters in names, postcodes that are
 * numbers, numbers with a leading zero, or letters, and free text with quotes, commas and newlines.
 */

export const FIRST_NAMES = [
  'Anna', 'Ben', 'Chloé', 'David', 'Emma', 'François', 'Greta', 'Hannah', 'Ines', 'Jürgen',
  'Karim', 'Lena', 'Łukasz', 'Maria', 'Noah', 'Olivia', 'Pedro', 'Quentin', 'Rosa', 'Søren',
  'Siobhán', 'Tom', 'Ulrike', 'Valentina', 'William', 'Ximena', 'Yusuf', 'Zoë', 'Aoife', 'Björn',
  'Camille', 'Dmitri', 'Elif', 'Fatima', 'Giulia', 'Hiroshi', 'Isabel', 'José', 'Katarzyna', 'Liam',
] as const;

export const LAST_NAMES = [
  'Müller', 'Schmidt', 'García', 'Martínez', 'Rossi', 'Bianchi', 'Dubois', 'Lefèvre', 'Smith', 'Johnson',
  'Brown', "O'Brien", 'Murphy', 'Nowak', 'Kowalski', 'Jensen', 'Nielsen', 'Andersson', 'van der Berg', 'de Vries',
  'Janssens', 'Silva', 'Santos', 'Fernández', 'Weber', 'Wagner', 'Fischer', 'Novák', 'Horvath', 'Yılmaz',
  'Papadopoulos', 'Ivanova', 'Kim', 'Nguyen', 'Tanaka', 'Okafor', 'Haddad', 'Costa', 'Moreau', 'Taylor',
] as const;

/** Letters that NFD normalisation does not take apart, for the ASCII part of e-mail addresses. */
const ASCII_FOLD: Record<string, string> = { ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', ß: 'ss', æ: 'ae', Æ: 'AE', ı: 'i' };

/** 'Søren' → 'soren', "O'Brien" → 'obrien': e-mail local parts as people really pick them. */
export function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØłŁßæÆı]/g, (c) => ASCII_FOLD[c] ?? '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example', 'shop.example'] as const;

export type CountryCode =
  | 'DE' | 'FR' | 'GB' | 'US' | 'NL' | 'ES' | 'IT' | 'AT' | 'CH' | 'PL' | 'IE' | 'SE' | 'DK' | 'PT' | 'BE';

/**
 * A city and the shape of its postcodes: '#' is any digit, '@' any capital letter, anything else
 * stands as written. Leading zeros ('021##') and letters ('SW# #@@') are why the warehouse cannot
 * assume postcodes are numbers.
 */
export interface City {
  name: string;
  country: CountryCode;
  postcode: string;
}

export const CITIES: readonly City[] = [
  { name: 'Berlin', country: 'DE', postcode: '10###' },
  { name: 'Hamburg', country: 'DE', postcode: '20###' },
  { name: 'München', country: 'DE', postcode: '80###' },
  { name: 'Köln', country: 'DE', postcode: '50###' },
  { name: 'Leipzig', country: 'DE', postcode: '04###' },
  { name: 'Dresden', country: 'DE', postcode: '01###' },
  { name: 'Paris', country: 'FR', postcode: '750##' },
  { name: 'Lyon', country: 'FR', postcode: '6900#' },
  { name: 'Marseille', country: 'FR', postcode: '130##' },
  { name: 'Nice', country: 'FR', postcode: '06###' },
  { name: 'London', country: 'GB', postcode: 'SW# #@@' },
  { name: 'Manchester', country: 'GB', postcode: 'M# #@@' },
  { name: 'Edinburgh', country: 'GB', postcode: 'EH# #@@' },
  { name: 'Boston', country: 'US', postcode: '021##' },
  { name: 'New York', country: 'US', postcode: '100##' },
  { name: 'Chicago', country: 'US', postcode: '606##' },
  { name: 'Seattle', country: 'US', postcode: '981##' },
  { name: 'Austin', country: 'US', postcode: '787##' },
  { name: 'Amsterdam', country: 'NL', postcode: '10## @@' },
  { name: 'Rotterdam', country: 'NL', postcode: '30## @@' },
  { name: 'Madrid', country: 'ES', postcode: '280##' },
  { name: 'Barcelona', country: 'ES', postcode: '080##' },
  { name: 'Milano', country: 'IT', postcode: '201##' },
  { name: 'Roma', country: 'IT', postcode: '001##' },
  { name: 'Wien', country: 'AT', postcode: '1##0' },
  { name: 'Zürich', country: 'CH', postcode: '80##' },
  { name: 'Warszawa', country: 'PL', postcode: '0#-###' },
  { name: 'Kraków', country: 'PL', postcode: '3#-###' },
  { name: 'Dublin', country: 'IE', postcode: 'D0# @#@#' },
  { name: 'Stockholm', country: 'SE', postcode: '1## ##' },
  { name: 'København', country: 'DK', postcode: '1###' },
  { name: 'Lisboa', country: 'PT', postcode: '1###-###' },
  { name: 'Bruxelles', country: 'BE', postcode: '1###' },
  { name: 'Antwerpen', country: 'BE', postcode: '2###' },
];

/** How a country writes a street address: the house number before or after the street name. */
export interface StreetStyle {
  names: readonly string[];
  number: 'before' | 'after' | 'after-comma';
}

export const STREET_STYLES: Record<CountryCode, StreetStyle> = {
  DE: { names: ['Hauptstraße', 'Bahnhofstraße', 'Schillerstraße', 'Lindenallee', 'Gartenweg', 'Am Markt'], number: 'after' },
  AT: { names: ['Mariahilfer Straße', 'Kärntner Straße', 'Landstraßer Hauptstraße', 'Praterstraße'], number: 'after' },
  CH: { names: ['Bahnhofstrasse', 'Seestrasse', 'Dorfstrasse', 'Limmatquai'], number: 'after' },
  FR: { names: ['rue de la Paix', 'rue Victor Hugo', 'avenue des Lilas', 'boulevard du Château', "place de l'Église"], number: 'before' },
  BE: { names: ['Rue Neuve', 'Meir', 'Avenue Louise', 'Grote Markt'], number: 'after' },
  GB: { names: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Queen’s Walk'], number: 'before' },
  IE: { names: ["O'Connell Street", 'Grafton Street', 'Main Street', 'Harbour Road'], number: 'before' },
  US: { names: ['Main Street', 'Maple Avenue', 'Oak Street', 'Elm Drive', 'Washington Blvd'], number: 'before' },
  NL: { names: ['Kerkstraat', 'Dorpsstraat', 'Prinsengracht', 'Stationsweg'], number: 'after' },
  ES: { names: ['Calle Mayor', 'Calle de Alcalá', 'Gran Vía', 'Avenida de la Constitución'], number: 'after-comma' },
  IT: { names: ['Via Roma', 'Via Garibaldi', 'Corso Italia', 'Piazza Dante'], number: 'after-comma' },
  PL: { names: ['ul. Długa', 'ul. Marszałkowska', 'ul. Floriańska', 'al. Jerozolimskie'], number: 'after' },
  SE: { names: ['Drottninggatan', 'Storgatan', 'Kungsgatan', 'Sveavägen'], number: 'after' },
  DK: { names: ['Vesterbrogade', 'Strøget', 'Nørrebrogade', 'Amagerbrogade'], number: 'after' },
  PT: { names: ['Rua Augusta', 'Avenida da Liberdade', 'Rua do Ouro', 'Travessa do Carmo'], number: 'after-comma' },
};

export const PHONE_PREFIXES: Record<CountryCode, string> = {
  DE: '+49', AT: '+43', CH: '+41', FR: '+33', BE: '+32', GB: '+44', IE: '+353', US: '+1',
  NL: '+31', ES: '+34', IT: '+39', PL: '+48', SE: '+46', DK: '+45', PT: '+351',
};

export const CATEGORIES = {
  Kitchen: ['Kettle', 'Cutting Board', 'Chef Knife', 'Teapot', 'Mixing Bowl', 'Spice Rack'],
  Home: ['Desk Lamp', 'Throw Blanket', 'Vase', 'Wall Clock', 'Cushion', 'Picture Frame'],
  Outdoor: ['Backpack', 'Tent', 'Water Bottle', 'Camping Chair', 'Hammock'],
  Office: ['Notebook', 'Desk Organizer', 'Pen Set', 'Monitor Stand', 'Bookend'],
  Fashion: ['Scarf', 'Wallet', 'Belt', 'Beanie', 'Tote Bag', 'Sunglasses'],
  Electronics: ['Headphones', 'Charger', 'Speaker', 'Keyboard', 'Mouse', 'USB-C Hub'],
  Toys: ['Puzzle', 'Building Set', 'Plush Bear', 'Kite', 'Board Game'],
} as const satisfies Record<string, readonly string[]>;

export type Category = keyof typeof CATEGORIES;
export const CATEGORY_NAMES = Object.keys(CATEGORIES) as Category[];

export const PRODUCT_ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Vintage', 'Modern', 'Rugged', 'Smart', 'Ultra', 'Mini', 'Nordic'] as const;
export const PRODUCT_MATERIALS = ['Oak', 'Steel', 'Bamboo', 'Linen', 'Ceramic', 'Cotton', 'Leather', 'Glass', 'Wool', 'Aluminium', 'Walnut'] as const;

/**
 * Delivery notes as customers type them. Some carry what breaks naive CSV or COPY handling
 * (quotes, commas, a newline, a tab, a backslash); all of them are valid data.
 */
export const ORDER_NOTES = [
  'Please leave at the front door',
  'Gift wrap, please',
  'Ring twice',
  'Deliver after 5pm',
  'Call on arrival',
  'No invoice in the parcel, it is a present',
  'Fragile – handle with care',
  'Leave with neighbour at no. 12',
  'Bitte beim Nachbarn abgeben',
  "Merci de sonner à l'interphone",
  'Side entrance, "blue door"',
  'Floor 3\nApartment 12',
  'Code:\t4711',
  'Back door \\ garden gate',
  'ASAP!!',
] as const;

/** Follow-ups the modifying process writes into notes of orders that are done. */
export const FOLLOW_UP_NOTES = [
  'Customer asked for a copy of the invoice',
  'Refund issued for one item',
  'Parcel left at the pick-up point',
  'Customer confirmed receipt by phone',
] as const;
