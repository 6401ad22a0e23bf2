import { linkText, visible } from './normalize.js';

/**
 * Advertising and spam signals in one message (pure): other chats' invitations, unknown shortened
 * links, phone numbers with selling words, offers of paid services and easy money, mass mentions.
 * Each hit has an id: what «Не нарушение» remembers for a chat.
 */

const INVITES: [string, RegExp][] = [
  ['invite:telegram', /\b(?:t|telegram)\.me\/(?:joinchat\/|\+|[a-z][\w]{3,})/],
  ['invite:vk', /\bvk\.me\/join\/|\bvk\.com\/[\w.]+\?w=/],
  ['invite:whatsapp', /\bchat\.whatsapp\.com\//],
  ['invite:max', /\bmax\.ru\/join\//],
  ['invite:sferum', /\bsferum\.ru\/\S*invite/],
];

const SHORTENER =
  /\b(bit\.ly|clck\.ru|vk\.cc|cutt\.ly|goo\.su|goo\.gl|tinyurl\.com|is\.gd|t\.ly|rb\.gy|ow\.ly|shorturl\.at|u\.to)\/[\w-]+/;

const OFFERS: [string, RegExp][] = [
  [
    'offer:earnings',
    /з[аa@]р[аa]б[оo]т(?:ок|ка|ку)|подработ|удал[её]нк|работа на дому|работ[аы] из дома|от \d[\d\s]*(?:000|тыс\.?)\s*(?:руб\S*\s*)?в (?:день|неделю|месяц)|\d[\d\s]*000 в (?:день|неделю|месяц)/,
  ],
  [
    'offer:income',
    /пассивн\S* доход|доход (?:от|до)? ?\d|\d+\s*% в месяц|инвестиц|крипт|биткоин|bitcoin|crypto|passive income|easy money|earn (?:\$|money|\d)|быстрые деньги|займ|ставк(?:ах|и)(?!\p{L})/u,
  ],
  ['offer:giveaway', /розыгрыш|giveaway|получите \d+ ?(?:руб|₽)/],
  [
    'offer:profile',
    /ссылк\S* в профиле|в описании профиля|в профиле(?!p{L})|link in bio|check my profile|моё объявление|мое объявление/,
  ],
  [
    'offer:channel',
    /подпи(?:сывайтесь|шись|шитесь)\S*\s+(?:на\s+)?(?:мой|наш|в)?\s*(?:канал|телег|тг)|(?:канал|телег\S*)[^.!?]{0,40}(?:ответ|гдз)|(?:ответ\S*|гдз)[^.!?]{0,30}(?:\d+\s*(?:руб|₽)|канал|t\.me)/,
  ],
  [
    'offer:service',
    /сделаю (?:домашк|дз|за вас)|\d+\s*(?:руб\S*|₽)\s*(?:\/|в|за)\s*(?:час|задач|заняти)|первое занятие бесплатно|выезд на дом|ногти|ресниц|маникюр|dm me|пишите в (?:личку|лс)[^.?]*$|пиши мне/,
  ],
  ['offer:sale', /(?<!\p{L})прода[юм](?!\p{L}).*(?:руб|₽|\d{3})|selling\b|\bfor sale\b/u],
];

const SELLING =
  /прода[юмё]|продаж|sell|sale|цена|стоимост|руб(?!p{L})|рубл|₽|скидк|акци|заказ|доставк|услуг|выезд|репетитор|занят|ногти|ресниц|\$\d/;

const NUMBER_WORDS =
  /(?<!\p{L})(?:ноль|один|два|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|двенадцать|тринадцать|четырнадцать|пятнадцать|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|сто|девятьсот|zero|one|two|three|four|five|six|seven|eight|nine|plus|плюс)(?!\p{L})/gu;

/** A Russian mobile number, written with any separators, or said in words. */
export function hasPhone(text: string): boolean {
  const digits = text.replace(/[\s\-()]/g, '');
  if (/(?:\+7|\b8|\b7)9\d{9}/.test(digits)) return true;
  return (text.toLowerCase().match(NUMBER_WORDS)?.length ?? 0) >= 7;
}

const LOOKALIKES: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  o: 'о',
  p: 'р',
  x: 'х',
  y: 'у',
  k: 'к',
  m: 'м',
  '@': 'а',
  '0': 'о',
  '3': 'з',
};

/** Words mixing Cyrillic with Latin look-alikes («Кpиптa», «З@работок») read as Russian. */
function asRussian(lower: string): string {
  if (!/[а-яё]/.test(lower) || !/[a-z0-9@]/.test(lower)) return lower;
  return lower.replace(/\S+/g, (word) =>
    /[а-яё]/.test(word) && /[a-z0-9@]/.test(word)
      ? [...word].map((char) => LOOKALIKES[char] ?? char).join('')
      : word,
  );
}

export interface AdvertisingOptions {
  /** The school's own links (its site, its chats): never flagged. */
  ownLinks: readonly string[];
}

const ownPatterns = new Map<string, RegExp | null>();

/**
 * One of the school's links as a pattern for the whole link, or a page of the site: `max.ru/join/abc`
 * spares no `max.ru/join/abcdef`, and `school.ru` no `myschool.ru`. Compiled once per link.
 */
function ownLinkPattern(own: string): RegExp | null {
  let pattern = ownPatterns.get(own);
  if (pattern !== undefined) return pattern;
  const needle = own.toLowerCase().replace(/^https?:\/\//, '');
  pattern = needle
    ? new RegExp(
        `(?<![\\p{L}\\d-])${needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=$|[\\s/?#)\\]"'»,;!]|\\.(?:\\s|$))`,
        'gu',
      )
    : null;
  if (ownPatterns.size > 1000) ownPatterns.clear();
  ownPatterns.set(own, pattern);
  return pattern;
}

export function findAdvertising(text: string, options: AdvertisingOptions): string[] {
  const hits: string[] = [];
  const lower = visible(text).toLowerCase();
  // Every invitation and shortened link has a dot, and linkText writes one only for a dot or a dot in words.
  if (lower.includes('.') || lower.includes('dot') || lower.includes('точка')) {
    let links = linkText(text);
    for (const own of options.ownLinks) {
      const whole = ownLinkPattern(own);
      if (whole) links = links.replace(whole, ' ');
    }
    for (const [id, pattern] of INVITES) if (pattern.test(links)) hits.push(id);
    const shortener = SHORTENER.exec(links);
    if (shortener) hits.push(`shortener:${shortener[1]}`);
  }
  const read = asRussian(lower);
  for (const [id, pattern] of OFFERS)
    if (pattern.test(lower) || (read !== lower && pattern.test(read))) hits.push(id);
  if (SELLING.test(lower) && hasPhone(text)) hits.push('phone:selling');
  const mentions = lower.includes('@') ? (lower.match(/(?:^|\s)@[\w]{3,}/g)?.length ?? 0) : 0;
  if (mentions >= 4) hits.push('mentions:mass');
  return hits;
}
