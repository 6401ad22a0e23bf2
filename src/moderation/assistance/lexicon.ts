/**
 * The insult and profanity lexicon (pure data). Patterns match one normalised word (see normalize.ts:
 * lower case, look-alikes mapped, repeated letters collapsed, so patterns are written collapsed too).
 * `strong` words are obscene whatever the context; `mild` ones are insults only when aimed at someone,
 * so a quote («дурак»), a report («его назвали дураком») or a literal sense does not count.
 */

export interface LexiconEntry {
  /** Stable id: what «Не нарушение» remembers for a chat. */
  id: string;
  pattern: RegExp;
  strength: 'strong' | 'mild';
}

const ru = (id: string, pattern: RegExp, strength: LexiconEntry['strength'] = 'strong'): LexiconEntry => ({
  id: `ru:${id}`,
  pattern,
  strength,
});
const en = (id: string, pattern: RegExp, strength: LexiconEntry['strength'] = 'strong'): LexiconEntry => ({
  id: `en:${id}`,
  pattern,
  strength,
});

/** Russian roots, read on the Cyrillic form of a word. */
export const RUSSIAN: LexiconEntry[] = [
  ru('хуй', /^(?:на|по|о|от|ни|за|до|а)?ху(?:[йяюи]|е[вснлтшп]|е$|ё)/),
  ru('хуй-inner', /(?<!стра)ху(?:й|ев|ёв|есос|ет|ярит)/),
  ru('пизд', /пизд|пезд/),
  ru(
    'еб',
    /^(?:за|на|по|от|у|вы|съ|разъ|раз|при|до|подъ|въ|взъ)?еб(?:а[нлтшцвр]|ан|ал|л|у[чтн]|н[уи]|ись|ет|ок|ош|ыр|ло|ище)/,
  ),
  ru('еб-долбо', /долбо[её]?б|^[её]бн|^(?:при|за|у|вы)?ебл|ебуч/),
  ru('бля', /^бля|^блят|^блед[ьи]$|^блять/),
  ru('сука', /^с?сук(?:а|и|е|у|ой|ам|ами|ин\p{L}*)?$|^суч(?:к|ар|ь)/u),
  ru('мудак', /^муд(?:ак|ил|оз|ач|ень|ло)/),
  ru('пидор', /^пид(?:о|а|е)?р|^педик|^педр/),
  ru('гандон', /^г[ао]ндон/),
  ru('залупа', /^залуп/),
  ru('шлюха', /^шлюх|^шалав/),
  ru('хер', /^(?:на|по|от)?хер(?:ня|н\p{L}*|ов\p{L}*|ни)?$/u),
  ru('мразь', /^мраз[ьио]|^тварь$|^твари$|^гнид[аы]$|^ублюд/),
  ru('дебил', /^дебил/, 'mild'),
  ru('идиот', /^идиот/, 'mild'),
  ru('дурак', /^дур(?:а|ы|е|у|ой|ам|ами|ак\p{L}*|оч\p{L}*|ень|ня|ында|еха)$/u, 'mild'),
  ru('урод', /^урод(?:ы|а|у|ом|ина|ин|ов|ам|ами|ка|ки|лив\p{L}*)?$/u, 'mild'),
  ru('тупой', /^туп(?:ой|ая|ое|ые|ого|ому|ым|ыми|ых|ую|ица|ицы|ица|арь|орыл\p{L}*|ень)$/u, 'mild'),
  ru('козел', /^коз[её]л$|^козл(?:ы|а|у|ом|ина)$/, 'mild'),
  ru('чмо', /^чмо(?:шн\p{L}*)?$/u, 'mild'),
  ru('лох', /^лох(?:и|а|у|ом|уш\p{L}*|ам|ов|ушка)?$/u, 'mild'),
  ru('даун', /^даун(?:а|у|ом|ы|ов)?$/, 'mild'),
  ru('корова', /^(?:корова|свинья|скотина|овца|жаба)$/, 'mild'),
];

/** English words (and Russian ones in Latin letters), read on the Latin form of a word. */
export const ENGLISH: LexiconEntry[] = [
  en('fuck', /fuc?k|^wtf$|^stfu$|^fck/),
  en('shit', /^(?:bul)?shit(?!ak)|shity$|^shits?$/),
  en('bitch', /^bitch|^biatch/),
  en('asshole', /^a(?:s|ss|z)hole|^dumbas|^jackas|^asswipe/),
  en('bastard', /^bastard/),
  en('cunt', /^cunt/),
  en('dick', /^dick(?:s|head)?$/, 'mild'),
  en('moron', /^moron/, 'mild'),
  en('idiot', /^idiot/, 'mild'),
  en('stupid', /^stupid$/, 'mild'),
  en('brat', /^brat$/, 'mild'),
  en(
    'translit',
    /^(?:suk[aiu]|bl[iy]a(?:t|d)?|bl[iy]at|(?:na|po)?hu[iyj]|nahuj|pizd\p{L}*|(?:za|vy|u)?eba[tln]\p{L}*|mudak\p{L}*|pid[oa]r\p{L}*|debil\p{L}*|gandon|zalupa|shlyuha|xuy|huy)$/u,
  ),
];

/** Whole words a masked word («б**дь», «f*ck») is compared with. */
export const MASKED_TARGETS = [
  'блядь',
  'бля',
  'блять',
  'пиздец',
  'пизда',
  'охуеть',
  'хуй',
  'хуйня',
  'нахуй',
  'ебать',
  'заебал',
  'сука',
  'сучка',
  'мудак',
  'пидор',
  'гандон',
  'fuck',
  'fucking',
  'shit',
  'bitch',
  'asshole',
  'cunt',
  'dick',
];

/** Words after which «тупой», «козёл», «даун» are literal (a blunt pencil, a gym horse, Down syndrome). */
export const LITERAL_CONTEXT =
  /карандаш|нож|ножниц|угол|конец|игл|пил[аы]|синдром|роль|роли|сказк|(?<!\p{L})коза(?!\p{L})|гимнаст|прыж|прыга|снаряд|спортзал|опорн|printer|pencil|question|mistake/u;

/** A report of what someone said: the mild words in it are not aimed at anyone in the chat. */
export const REPORTED =
  /назвал|называ|обзыва|обозвал|дразн|пожаловал|(?<!\p{L})слов[ао](?!\p{L})|\bcalled\b|\bcalling\b|\bcalls\b|\bthe word\b/u;
