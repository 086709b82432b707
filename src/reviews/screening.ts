/**
 * Automatic screening of a review's text on submission and on every edit. A review with any flag
 * waits in the moderation queue instead of being published. The checks are cheap heuristics for
 * spam and shouting; a moderator makes the real decision.
 */

export type ScreeningFlag = 'link' | 'banned_term' | 'repeated_characters' | 'all_capitals';

// URLs, www. hosts and bare domains with a common top-level domain ("cheap-stuff.shop").
const LINK =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|co|ru|cn|xyz|top|shop|online|site|ly|me|app|link)\b/iu;
// The same character six times or more in a row ("greaaaaaat", "!!!!!!"), spaces aside.
const REPEATED = /(\S)\1{5,}/u;
const MIN_LETTERS_FOR_SHOUTING = 12;

export function screenReview(comment: string, bannedTerms: readonly string[]): ScreeningFlag[] {
  const flags: ScreeningFlag[] = [];
  if (LINK.test(comment)) flags.push('link');
  if (containsBannedTerm(comment, bannedTerms)) flags.push('banned_term');
  if (REPEATED.test(comment)) flags.push('repeated_characters');
  if (isShouting(comment)) flags.push('all_capitals');
  return flags;
}

function containsBannedTerm(comment: string, bannedTerms: readonly string[]): boolean {
  const text = ` ${normalize(comment)} `;
  // Whole words or phrases only, so a banned "ass" does not hold back "glass".
  return bannedTerms.some((term) => term.trim() !== '' && text.includes(` ${normalize(term)} `));
}

/** Lower-case letters and digits separated by single spaces: punctuation never hides a term. */
function normalize(text: string): string {
  return text
    .toLocaleLowerCase('en')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** All capitals: enough letters to be a sentence, and none of them lower case. */
function isShouting(comment: string): boolean {
  const upper = comment.match(/\p{Lu}/gu)?.length ?? 0;
  const lower = comment.match(/\p{Ll}/gu)?.length ?? 0;
  return upper >= MIN_LETTERS_FOR_SHOUTING && lower === 0;
}
